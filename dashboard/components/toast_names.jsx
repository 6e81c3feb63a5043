// Names each toast's close button after its toast: "Close: Note saved." instead of sonner's
// one "Close toast" for all of them, which left a screen reader user with two toasts up
// unable to tell which one a Close would close.
//
// sonner (2.0.x) takes the close button's name only for the whole toaster
// (toastOptions.closeButtonAriaLabel), never per toast, so it is set here on the button
// itself once drawn. React writes aria-label only when sonner's prop changes, which it
// never does, so the name set here stays.
import { useEffect } from "react";

const CLOSE = "[data-sonner-toast] [data-close-button]";

function nameCloseButtons() {
  for (const button of document.querySelectorAll(CLOSE)) {
    const said = button.closest("[data-sonner-toast]").querySelector("[data-title]");
    const name = said && said.textContent ? `Close: ${said.textContent}` : "Close toast";
    if (button.getAttribute("aria-label") !== name) button.setAttribute("aria-label", name);
  }
}

export function ToastCloseNames() {
  useEffect(() => {
    nameCloseButtons();
    // A toast comes, or one is updated in place (its title changes): attributes are not
    // watched, so setting the name does not call this again.
    const observer = new MutationObserver(nameCloseButtons);
    observer.observe(document.body, { childList: true, subtree: true, characterData: true });
    return () => observer.disconnect();
  }, []);
  return null;
}
