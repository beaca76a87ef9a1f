import { SEVERITY_ICON } from "../format.js";

/** Severity as glyph + word + colour: readable without colour, and by screen readers. */
export function SeverityBadge({ severity }: { severity: string }) {
  const s = severity.toUpperCase();
  return (
    <span class={`sev sev-${s.toLowerCase()}`} title={`severity ${s}`}>
      <span aria-hidden="true">{SEVERITY_ICON[s] ?? "•"}</span> {s}
    </span>
  );
}

/** Confidence as a bar with the number written next to it. */
export function ConfidenceBar({ value }: { value: number }) {
  const p = Math.round(value * 100);
  return (
    <span class="conf" title={`confidence ${value.toFixed(4)}`}>
      <span class="conf-bar" aria-hidden="true">
        <span style={{ width: `${p}%` }} />
      </span>
      <span class="conf-num">{p}%</span>
    </span>
  );
}
