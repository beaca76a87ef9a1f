import type { TargetedKeyboardEvent, TargetedMouseEvent } from "preact";
import { navigate } from "../router.js";

/**
 * Keyboard handling for tables of focusable rows (`<tr tabIndex=0 data-href=...>`):
 * Enter opens the row, ArrowUp/ArrowDown (and j/k) move between rows, Home/End jump.
 */
export function onRowKeyDown(e: TargetedKeyboardEvent<HTMLElement>): void {
  const row = (e.target as HTMLElement).closest<HTMLElement>("[data-href]");
  if (!row || e.target !== row) return;
  const rows = [...(e.currentTarget.querySelectorAll<HTMLElement>("[data-href]") ?? [])];
  const i = rows.indexOf(row);
  let next: HTMLElement | undefined;
  switch (e.key) {
    case "Enter":
      e.preventDefault();
      navigate(row.dataset.href!);
      return;
    case "ArrowDown":
    case "j":
      next = rows[i + 1];
      break;
    case "ArrowUp":
    case "k":
      next = rows[i - 1];
      break;
    case "Home":
      next = rows[0];
      break;
    case "End":
      next = rows.at(-1);
      break;
    default:
      return;
  }
  e.preventDefault();
  next?.focus();
}

/** Opens a row on click, unless the click was on a link or button inside it (or text was selected). */
export function onRowClick(e: TargetedMouseEvent<HTMLElement>): void {
  if ((e.target as HTMLElement).closest("a,button,input,select,summary")) return;
  if (window.getSelection()?.toString()) return;
  const row = (e.target as HTMLElement).closest<HTMLElement>("[data-href]");
  if (row) navigate(row.dataset.href!);
}
