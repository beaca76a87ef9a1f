import { useState } from "preact/hooks";
import { ApiError, getApiKey, setApiKey } from "../api.js";

export function Loading({ what }: { what: string }) {
  return (
    <p class="loading" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

/** Paste an API key; it is stored in this browser (localStorage) and sent as `Authorization: Bearer`. */
export function ApiKeyForm({ onDone }: { onDone?: () => void }) {
  const [value, setValue] = useState("");
  const stored = getApiKey();
  return (
    <form
      class="keyform"
      onSubmit={(e) => {
        e.preventDefault();
        setApiKey(value.trim() || null);
        setValue("");
        onDone?.();
      }}
    >
      <label>
        API key{" "}
        <input
          type="password"
          autoComplete="off"
          value={value}
          placeholder={stored ? "•••••••• (stored)" : "paste a key"}
          onInput={(e) => setValue((e.target as HTMLInputElement).value)}
        />
      </label>
      <button type="submit" class="btn">
        Save
      </button>
      {stored && (
        <button
          type="button"
          class="btn"
          onClick={() => {
            setApiKey(null);
            onDone?.();
          }}
        >
          Forget key
        </button>
      )}
      <small class="muted">Kept in this browser only; sent as a Bearer token to /api/v1.</small>
    </form>
  );
}

export function ErrorBox({ error, what }: { error: Error; what: string }) {
  const api = error instanceof ApiError ? error : undefined;
  return (
    <div class="error" role="alert">
      <p>
        <strong>⚠ Could not load {what}.</strong> {api ? `${api.status}: ${api.detail}` : error.message}
      </p>
      {api?.needsKey && (
        <>
          <p>This server requires an API key.</p>
          <ApiKeyForm />
        </>
      )}
      {api?.status === 404 && api.url.startsWith("/api/v1/incidents") && (
        <p class="muted">This server has no incidents endpoint; use Search or open an RCA by event id.</p>
      )}
    </div>
  );
}
