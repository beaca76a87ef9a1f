import type { ComponentChildren } from "preact";
import { isModifiedClick, navigate } from "../router.js";

interface Props {
  href: string;
  children: ComponentChildren;
  class?: string;
  title?: string;
  tabIndex?: number;
  "aria-current"?: "page";
  "data-testid"?: string;
}

/** A real link (middle-click, copy address work) that navigates client-side on a plain click. */
export function Link({ href, children, ...rest }: Props) {
  return (
    <a
      {...rest}
      href={href}
      onClick={(e) => {
        if (isModifiedClick(e)) return;
        e.preventDefault();
        navigate(href);
      }}
    >
      {children}
    </a>
  );
}
