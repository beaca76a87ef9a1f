import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** Every error leaves the API in one shape: RFC 9457 `application/problem+json`. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly errors?: ReadonlyArray<{ path: string; message: string }>;
}

const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  413: "Payload Too Large",
  415: "Unsupported Media Type",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

export function problem(
  c: Context,
  status: ContentfulStatusCode,
  detail: string,
  errors?: Problem["errors"],
): Response {
  const body: Problem = {
    type: status === 400 ? "https://kg-rca.dev/problems/invalid-request" : "about:blank",
    title: TITLES[status] ?? "Error",
    status,
    detail,
    ...(errors?.length ? { errors } : {}),
  };
  return c.body(JSON.stringify(body), status, { "content-type": "application/problem+json" });
}
