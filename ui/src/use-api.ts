import { useEffect, useState } from "preact/hooks";
import { type ApiError, getJson, type Query } from "./api.js";

export interface ApiState<T> {
  data?: T;
  error?: ApiError | Error;
  loading: boolean;
}

/** Fetches `path` whenever it, the query or the API key change; aborts the stale request. */
export function useApi<T>(path: string | null, query: Query = {}, onData?: (d: T) => void): ApiState<T> {
  const [state, setState] = useState<ApiState<T>>({ loading: path !== null });
  const [keyVersion, setKeyVersion] = useState(0);
  const queryKey = JSON.stringify(query);
  useEffect(() => {
    const bump = () => setKeyVersion((v) => v + 1);
    window.addEventListener("kgrca:apikey", bump);
    return () => window.removeEventListener("kgrca:apikey", bump);
  }, []);
  useEffect(() => {
    if (path === null) {
      setState({ loading: false });
      return;
    }
    const ctl = new AbortController();
    setState((s) => ({ data: s.data, loading: true }));
    getJson<T>(path, query, ctl.signal).then(
      (data) => {
        if (ctl.signal.aborted) return;
        onData?.(data);
        setState({ data, loading: false });
      },
      (error: Error) => {
        if (ctl.signal.aborted) return;
        setState({ error, loading: false });
      },
    );
    return () => ctl.abort();
  }, [path, queryKey, keyVersion]);
  return state;
}
