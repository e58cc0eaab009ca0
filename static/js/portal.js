// Progressive enhancement only: every page works without JavaScript.
document.addEventListener("DOMContentLoaded", () => {
  // Move focus to the error summary so keyboard and screen-reader users hear what went wrong.
  const summary = document.querySelector(".error-summary");
  if (summary) {
    summary.focus();
    // A link in the summary puts focus in its field and shows the field's label with it.
    summary.addEventListener("click", (event) => {
      const link = event.target.closest("a[href^='#']");
      const field = link && document.getElementById(link.getAttribute("href").slice(1));
      if (!field) return;
      event.preventDefault();
      const label = document.querySelector(`label[for="${field.id}"]`);
      (label && !label.classList.contains("visually-hidden") ? label : field).scrollIntoView();
      field.focus({ preventScroll: true });
    });
  }

  // Forms with data-confirm ask first, in a modal dialog: focus stays inside it while it is
  // open (showModal makes the rest of the page inert) and returns to the button afterwards.
  const dialog = document.getElementById("confirm-dialog");
  if (dialog) {
    let pending = null;
    let opener = null;
    document.querySelectorAll("form[data-confirm]").forEach((form) => {
      form.addEventListener("submit", (event) => {
        if (form.dataset.confirmed === "yes") return;
        event.preventDefault();
        pending = form;
        opener = event.submitter || document.activeElement;
        dialog.querySelector("[data-confirm-text]").textContent = form.dataset.confirm;
        dialog.returnValue = "";
        dialog.showModal();
        dialog.querySelector("[data-confirm-cancel]").focus();
      });
    });
    // Tab and Shift+Tab cycle through the dialog's own controls.
    dialog.addEventListener("keydown", (event) => {
      if (event.key !== "Tab") return;
      const controls = [...dialog.querySelectorAll("button, a[href], input, select, textarea")];
      const first = controls[0];
      const last = controls[controls.length - 1];
      if (event.shiftKey && document.activeElement === first) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault();
        first.focus();
      }
    });
    dialog.addEventListener("close", () => {
      // The close event comes in a later task: if the dialog was opened again meanwhile (a
      // quick Escape, then the button again), this one is stale and the new opening decides.
      if (dialog.open) return;
      const form = pending;
      pending = null;
      if (dialog.returnValue === "confirm" && form) {
        form.dataset.confirmed = "yes";
        if (opener && opener.form === form) form.requestSubmit(opener);
        else form.requestSubmit();
        return;
      }
      if (opener) opener.focus();
    });
  }

  // A form being sent cannot be sent again by a second click: its buttons are disabled once
  // the browser has taken the form's data (a disabled button would drop its own name and value).
  // The server answers a repeat with the first answer anyway (the form's submission key).
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (event.defaultPrevented || form.method.toLowerCase() !== "post") return;
    window.setTimeout(() => {
      form.querySelectorAll("button, input[type=submit]").forEach((button) => {
        if (button.disabled) return;
        button.disabled = true;
        button.dataset.disabledWhileSending = "yes";
      });
    }, 0);
    // A POST that answers with a download leaves the page as it was: usable again after a while.
    window.setTimeout(() => enableAgain(form), 10000);
  });
  const enableAgain = (root) => {
    root.querySelectorAll("[data-disabled-while-sending]").forEach((button) => {
      button.disabled = false;
      delete button.dataset.disabledWhileSending;
    });
  };
  // htmx keeps the page: its form can be used again when the answer is in. Back/forward
  // restores a page from the browser's cache with the buttons as they were.
  document.body.addEventListener("htmx:afterRequest", (event) =>
    enableAgain(event.target.closest("form") || document),
  );
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) enableAgain(document);
  });
});
