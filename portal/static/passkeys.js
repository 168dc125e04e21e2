// Passkeys (WebAuthn): the forms marked data-passkey="register" (account page) and data-passkey="login" (sign-in
// and its second step). Submitting one asks the server for options (the form's action, with its CSRF token), lets
// the browser create or use the passkey, and sends the answer as JSON (binary fields base64url) to data-finish.
// The server answers {redirect: address} or {error: message}. Without WebAuthn support the forms stay hidden.
(function () {
  "use strict";

  function toBytes(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    var binary = atob(base64 + "===".slice((base64.length + 3) % 4));
    return Uint8Array.from(binary, function (character) { return character.charCodeAt(0); }).buffer;
  }

  function toText(buffer) {
    var binary = String.fromCharCode.apply(null, new Uint8Array(buffer));
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function withIds(descriptors) {
    return (descriptors || []).map(function (descriptor) {
      return Object.assign({}, descriptor, { id: toBytes(descriptor.id) });
    });
  }

  function creationOptions(options) {
    return Object.assign({}, options, {
      challenge: toBytes(options.challenge),
      user: Object.assign({}, options.user, { id: toBytes(options.user.id) }),
      excludeCredentials: withIds(options.excludeCredentials)
    });
  }

  function requestOptions(options) {
    return Object.assign({}, options, {
      challenge: toBytes(options.challenge),
      allowCredentials: withIds(options.allowCredentials)
    });
  }

  function credentialJSON(credential) {
    var response = credential.response;
    var json = {
      id: credential.id,
      rawId: toText(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
      clientExtensionResults: credential.getClientExtensionResults(),
      response: { clientDataJSON: toText(response.clientDataJSON) }
    };
    if (response.attestationObject) {
      json.response.attestationObject = toText(response.attestationObject);
      json.response.transports = response.getTransports ? response.getTransports() : [];
    } else {
      json.response.authenticatorData = toText(response.authenticatorData);
      json.response.signature = toText(response.signature);
      if (response.userHandle) {
        json.response.userHandle = toText(response.userHandle);
      }
    }
    return json;
  }

  function answer(response) {
    return response.json().then(function (body) {
      if (!response.ok) {
        throw { fromServer: body.error };
      }
      return body;
    });
  }

  function start(form, event) {
    event.preventDefault();
    var status = form.querySelector("[data-passkey-status]");
    var token = form.querySelector("[name=csrf_token]").value;
    var registering = form.dataset.passkey === "register";
    status.textContent = "Bitte bestätigen Sie mit Ihrem Passkey.";
    fetch(form.getAttribute("action"), { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(answer)
      .then(function (options) {
        return registering
          ? navigator.credentials.create({ publicKey: creationOptions(options) })
          : navigator.credentials.get({ publicKey: requestOptions(options) });
      })
      .then(function (credential) {
        return fetch(form.dataset.finish, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": token },
          body: JSON.stringify(credentialJSON(credential))
        });
      })
      .then(answer)
      .then(function (body) {
        window.location.assign(body.redirect);
      })
      .catch(function (error) {
        status.textContent = (error && error.fromServer) ||
          "Der Vorgang wurde abgebrochen oder ist nicht möglich. Bitte versuchen Sie es noch einmal.";
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.PublicKeyCredential) {
      return;
    }
    document.querySelectorAll("[data-passkey-unsupported]").forEach(function (note) {
      note.hidden = true;
    });
    document.querySelectorAll("form[data-passkey]").forEach(function (form) {
      form.hidden = false;
      form.addEventListener("submit", function (event) { start(form, event); });
    });
  });
})();
