// Keyboard shortcuts for a page: calls onKey(key) for single-key presses (keys, a string of
// them) or named keys (keys, a list: ["Escape"]), except while the person is typing in a field,
// or while a dialog or a menu is open: the page's keys act on the candidate in view, and behind
// a dialog that is the person the dialog names (an "a" in the Reject dialog advanced them, a
// "j" swapped them). A key something else took already is left alone too: the Escape that
// closed a menu (Radix takes it before the page, and the menu may be gone by the time the page
// hears it) or put back a card lifted by keyboard (dnd-kit) is not the page's Escape as well.
import { useEffect } from "react";

// Radix's dialog, alert dialog, dropdown menu and select list while on screen
// (one closing still has data-state="closed" for its animation: the page is back).
const OPEN_OVERLAY =
  ':is([role="dialog"], [role="alertdialog"], [role="menu"], [role="listbox"]):not([data-state="closed"])';

export function KeyboardShortcuts({ onKey, keys }) {
  useEffect(() => {
    const wanted = new Set(Array.isArray(keys) ? keys : (keys || "").split(""));
    const handler = (event) => {
      if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
      const target = event.target;
      // An Escape that leaves a toast (sonner takes it without saying so) or cancels a card's
      // drag by mouse or touch (dnd-kit's pointer sensor neither) is theirs, not the page's.
      if (target?.closest?.("[data-sonner-toaster]") || window.assayDragging) return;
      const typing =
        target &&
        (target.isContentEditable ||
          ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
      if (typing) return;
      if (!wanted.has(event.key)) return;
      if (document.querySelector(OPEN_OVERLAY)) return; // Escape and the dialog's own keys still work
      event.preventDefault();
      if (onKey) onKey(event.key);
    };
    window.addEventListener("keydown", handler);
    return () => window.removeEventListener("keydown", handler);
  }, [onKey, keys]);
  return null;
}
