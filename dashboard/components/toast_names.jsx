// Ties each toast's close button to its toast's message (aria-describedby): a screen reader says
// "Close toast, button, Note saved." instead of sonner's bare "Close toast" for every one, which
// left someone with two toasts up unable to tell which one a Close would close.
//
// sonner (2.0.x) takes the close button's name only for the whole toaster
// (toastOptions.closeButtonAriaLabel), never per toast, so the message is tied here, on the
// button itself once drawn. A description, not the name: a name holding the message ("Close:
// Interview scheduled.") would also answer to every lookup of a page's own button by a word of
// it ("Schedule"). React sets neither attribute, so what is set here stays.
import { useEffect } from "react";

const CLOSE = "[data-sonner-toast] [data-close-button]";
let drawn = 0;

function describeCloseButtons() {
  for (const button of document.querySelectorAll(CLOSE)) {
    const said = button.closest("[data-sonner-toast]").querySelector("[data-title]");
    if (!said) continue;
    if (!said.id) said.id = `toast-message-${++drawn}`;
    if (button.getAttribute("aria-describedby") !== said.id) button.setAttribute("aria-describedby", said.id);
  }
}

export function ToastCloseNames() {
  useEffect(() => {
    describeCloseButtons();
    // A toast comes, or one is updated in place (its message drawn anew): attributes are not
    // watched, so setting them does not call this again.
    const observer = new MutationObserver(describeCloseButtons);
    observer.observe(document.body, { childList: true, subtree: true, characterData: true });
    return () => observer.disconnect();
  }, []);
  return null;
}
