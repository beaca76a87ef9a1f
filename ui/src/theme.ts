/** Light and dark themes: the system preference by default, or the user's choice, kept in localStorage. */
export type ThemeChoice = "system" | "light" | "dark";

const KEY = "kgrca.theme";

export function storedTheme(): ThemeChoice {
  try {
    const t = localStorage.getItem(KEY);
    return t === "light" || t === "dark" ? t : "system";
  } catch {
    return "system";
  }
}

export function applyTheme(choice: ThemeChoice): void {
  if (choice === "system") delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = choice;
  try {
    if (choice === "system") localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, choice);
  } catch {
    // storage disabled: the choice lasts for this page
  }
  window.dispatchEvent(new Event("kgrca:theme"));
}

export const nextTheme = (t: ThemeChoice): ThemeChoice =>
  t === "system" ? "dark" : t === "dark" ? "light" : "system";
