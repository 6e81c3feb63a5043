// Keyboard shortcuts for a page: calls onKey(key) for single-key presses,
// except while the person is typing in a field or a dialog has focus in a field.
import { useEffect } from "react";

export function KeyboardShortcuts({ onKey, keys }) {
  useEffect(() => {
    const wanted = new Set((keys || "").split(""));
    const handler = (event) => {
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      const target = event.target;
      const typing =
        target &&
        (target.isContentEditable ||
          ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
      if (typing) return;
      if (!wanted.has(event.key)) return;
      event.preventDefault();
      if (onKey) onKey(event.key);
    };
    window.addEventListener("keydown", handler);
    return () => window.removeEventListener("keydown", handler);
  }, [onKey, keys]);
  return null;
}
