import type { ResourceSummary } from "../api.js";
import { displayKind, parseResourceId } from "../format.js";
import { hrefs } from "../router.js";
import { Link } from "./link.js";

/** `Pod shop/cart-…` linking to the resource view; accepts a summary or a bare id. */
export function ResourceLink({ resource }: { resource: ResourceSummary | string | null | undefined }) {
  if (!resource) return <span class="muted">(no resource)</span>;
  const r = typeof resource === "string" ? parseResourceId(resource) : resource;
  return (
    <Link href={hrefs.resource(r.id)} class="res" title={r.id}>
      <span class="kind">{displayKind(r.kind)}</span> {r.namespace ? `${r.namespace}/` : ""}
      {r.name}
    </Link>
  );
}
