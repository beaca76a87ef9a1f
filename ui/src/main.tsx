import "./styles.css";
import { render } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { getApiKey } from "./api.js";
import { Link } from "./components/link.js";
import { ApiKeyForm } from "./components/status.js";
import { IncidentPage } from "./pages/incident-page.js";
import { IncidentsPage } from "./pages/incidents-page.js";
import { RcaPage } from "./pages/rca-page.js";
import { ResourcePage } from "./pages/resource-page.js";
import { SearchPage } from "./pages/search-page.js";
import { hrefs, navigate, type Route, useRoute } from "./router.js";
import { applyTheme, nextTheme, storedTheme, type ThemeChoice } from "./theme.js";

function titleOf(r: Route): string {
  switch (r.page) {
    case "incidents":
      return "Incidents";
    case "incident":
      return `Incident ${r.id}`;
    case "rca":
      return `RCA ${r.eventId}`;
    case "resource":
      return r.id.split(":").slice(-2).join("/");
    case "search":
      return "Search";
    default:
      return "Not found";
  }
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case "incidents":
      return <IncidentsPage query={route.query} />;
    case "incident":
      return <IncidentPage key={route.id} id={route.id} />;
    case "rca":
      return <RcaPage key={route.eventId} eventId={route.eventId} query={route.query} />;
    case "resource":
      return <ResourcePage key={route.id} id={route.id} query={route.query} />;
    case "search":
      return <SearchPage query={route.query} />;
    default:
      return (
        <div>
          <h1 tabIndex={-1}>Not found</h1>
          <p>
            No page at <code>{route.path}</code>. <Link href={hrefs.incidents()}>Go to incidents</Link>.
          </p>
        </div>
      );
  }
}

function App() {
  const route = useRoute();
  const [theme, setTheme] = useState<ThemeChoice>(storedTheme);
  const [keyOpen, setKeyOpen] = useState(false);
  const [hasKey, setHasKey] = useState(() => !!getApiKey());
  const first = useRef(true);
  const where = `${location.pathname}${location.search}`;

  useEffect(() => {
    const onKey = () => setHasKey(!!getApiKey());
    window.addEventListener("kgrca:apikey", onKey);
    return () => window.removeEventListener("kgrca:apikey", onKey);
  }, []);
  useEffect(() => {
    document.title = `${titleOf(route)} · kg-rca`;
    // Move focus to the new page's heading, as a full page load would (not on the first load).
    if (first.current) first.current = false;
    else requestAnimationFrame(() => document.querySelector<HTMLElement>("main h1")?.focus());
  }, [route.page, where]);

  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <Link href={hrefs.incidents()} class="brand">
          <span aria-hidden="true">◈</span> kg-rca explorer
        </Link>
        <nav aria-label="Main">
          <Link href={hrefs.incidents()} aria-current={route.page === "incidents" ? "page" : undefined}>
            Incidents
          </Link>
          <Link href={hrefs.search()} aria-current={route.page === "search" ? "page" : undefined}>
            Search
          </Link>
        </nav>
        <form
          class="quick"
          aria-label="Quick search"
          onSubmit={(e) => {
            e.preventDefault();
            const input = e.currentTarget.elements.namedItem("q") as HTMLInputElement;
            if (input.value.trim()) navigate(hrefs.search(input.value.trim()));
          }}
        >
          <input name="q" type="search" placeholder="Search event id, resource, reason" aria-label="Search" />
        </form>
        <button type="button" class="btn small" aria-expanded={keyOpen} onClick={() => setKeyOpen(!keyOpen)}>
          {hasKey ? "🔑 API key ✓" : "🔑 API key"}
        </button>
        <button
          type="button"
          class="btn small"
          title="Switch between the system theme, dark and light"
          onClick={() => {
            const t = nextTheme(theme);
            applyTheme(t);
            setTheme(t);
          }}
        >
          Theme: {theme}
        </button>
      </header>
      {keyOpen && (
        <div class="keypanel">
          <ApiKeyForm onDone={() => setKeyOpen(false)} />
        </div>
      )}
      <main id="main">
        <Page route={route} />
      </main>
    </>
  );
}

applyTheme(storedTheme());
render(<App />, document.getElementById("app")!);
