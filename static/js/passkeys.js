// Passkeys (WebAuthn) as a second factor: the ceremonies of django-otp-webauthn's views.
// Served from static under the CSP (script-src 'self' + nonce); no inline script. The page
// keeps working without JavaScript (the code form, the list and the remove buttons).
// A [data-passkey] button names its ceremony ("register" or "authenticate"), the URLs to
// begin and complete it, the CSRF token, its status element, and where to go next.
(() => {
  "use strict";

  const toBuffer = (text) => {
    const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0)).buffer;
  };
  const toText = (buffer) => {
    let binary = "";
    new Uint8Array(buffer).forEach((byte) => { binary += String.fromCharCode(byte); });
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  };

  const post = async (url, csrf, body) => {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let data = {};
    try { data = await response.json(); } catch (error) { data = {}; }
    if (!response.ok) throw Object.assign(new Error(data.detail || ""), { fromServer: true });
    return data;
  };

  const creationOptions = (options) => ({
    ...options,
    challenge: toBuffer(options.challenge),
    user: { ...options.user, id: toBuffer(options.user.id) },
    excludeCredentials: (options.excludeCredentials || []).map((c) => ({ ...c, id: toBuffer(c.id) })),
  });
  const requestOptions = (options) => ({
    ...options,
    challenge: toBuffer(options.challenge),
    allowCredentials: (options.allowCredentials || []).map((c) => ({ ...c, id: toBuffer(c.id) })),
  });

  const credentialJSON = (credential) => {
    const r = credential.response;
    const response = { clientDataJSON: toText(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = toText(r.attestationObject);
      response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      response.authenticatorData = toText(r.authenticatorData);
      response.signature = toText(r.signature);
      response.userHandle = r.userHandle ? toText(r.userHandle) : null;
    }
    return {
      id: credential.id,
      rawId: toText(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
      clientExtensionResults: credential.getClientExtensionResults(),
      response,
    };
  };

  const withQuery = (url, values) => {
    const target = new URL(url, window.location.origin);
    Object.entries(values).forEach(([key, value]) => { if (value) target.searchParams.set(key, value); });
    return target.pathname + target.search;
  };

  const ceremonies = {
    async register(button) {
      const nameField = document.getElementById(button.dataset.nameField || "");
      const options = await post(button.dataset.begin, button.dataset.csrf);
      const credential = await navigator.credentials.create({ publicKey: creationOptions(options) });
      const complete = withQuery(button.dataset.complete, { name: nameField ? nameField.value : "" });
      await post(complete, button.dataset.csrf, credentialJSON(credential));
      window.location.reload();
    },
    async authenticate(button) {
      const options = await post(button.dataset.begin, button.dataset.csrf);
      const credential = await navigator.credentials.get({ publicKey: requestOptions(options) });
      const complete = withQuery(button.dataset.complete, { next: button.dataset.next || "" });
      const result = await post(complete, button.dataset.csrf, credentialJSON(credential));
      window.location.assign(result.redirect_url || "/");
    },
  };

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("button[data-passkey]").forEach((button) => {
      const status = document.getElementById(button.dataset.status);
      const say = (text) => { if (status) status.textContent = text; };
      if (!window.PublicKeyCredential || !navigator.credentials) {
        button.disabled = true;
        say(button.dataset.msgUnsupported);
        return;
      }
      button.addEventListener("click", async () => {
        button.disabled = true;
        say(button.dataset.msgBusy);
        try {
          await ceremonies[button.dataset.passkey](button);
        } catch (error) {
          const refused = error && error.name === "NotAllowedError";
          say(error && error.fromServer && error.message ? error.message
            : refused ? button.dataset.msgCancelled : button.dataset.msgFailed);
          button.disabled = false;
          button.focus();
        }
      });
    });
  });
})();
