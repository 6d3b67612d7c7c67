// Passkeys (W3C Web Authentication Level 2) for Sigillo's sign-in and account pages.
//
// The only script the server sends (the CSP allows script-src 'self' and nothing inline).
// A button with class "passkey-button" carries data-begin / data-finish (this site's URLs),
// data-csrf (the session's token) and the texts to show; the script fetches the options
// from data-begin, runs navigator.credentials.create or .get, and posts the result as JSON
// to data-finish. Binary fields travel as base64url (RFC 4648 §5) without padding.
'use strict';
(function () {
  function b64uToBuf(text) {
    const b64 = text.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((text.length + 3) % 4);
    const bin = atob(b64);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out.buffer;
  }

  function bufToB64u(buf) {
    const bytes = new Uint8Array(buf);
    let bin = '';
    for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
    return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  async function post(url, body) {
    const response = await fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    let data = {};
    try {
      data = await response.json();
    } catch (e) {
      data = {};
    }
    return { status: response.status, data: data };
  }

  // W3C WebAuthn §5.4: PublicKeyCredentialCreationOptions.
  function creationOptions(options) {
    const pk = options.publicKey;
    pk.challenge = b64uToBuf(pk.challenge);
    pk.user.id = b64uToBuf(pk.user.id);
    (pk.excludeCredentials || []).forEach(function (c) { c.id = b64uToBuf(c.id); });
    return pk;
  }

  // W3C WebAuthn §5.5: PublicKeyCredentialRequestOptions.
  function requestOptions(options) {
    const pk = options.publicKey;
    pk.challenge = b64uToBuf(pk.challenge);
    (pk.allowCredentials || []).forEach(function (c) { c.id = b64uToBuf(c.id); });
    return pk;
  }

  function attestationJSON(cred) {
    return {
      id: cred.id,
      rawId: bufToB64u(cred.rawId),
      type: cred.type,
      extensions: cred.getClientExtensionResults(),
      response: {
        attestationObject: bufToB64u(cred.response.attestationObject),
        clientDataJSON: bufToB64u(cred.response.clientDataJSON),
        transports: cred.response.getTransports ? cred.response.getTransports() : [],
      },
    };
  }

  function assertionJSON(cred) {
    return {
      id: cred.id,
      rawId: bufToB64u(cred.rawId),
      type: cred.type,
      extensions: cred.getClientExtensionResults(),
      response: {
        authenticatorData: bufToB64u(cred.response.authenticatorData),
        clientDataJSON: bufToB64u(cred.response.clientDataJSON),
        signature: bufToB64u(cred.response.signature),
        userHandle: cred.response.userHandle ? bufToB64u(cred.response.userHandle) : null,
      },
    };
  }

  // Runs one ceremony for `button`; returns the finish answer ({status, data}).
  async function run(button, extra) {
    const csrf = button.dataset.csrf;
    const begun = await post(button.dataset.begin, Object.assign({ csrf: csrf }, extra));
    if (begun.status !== 200) return begun;
    let cred;
    try {
      if (begun.data.publicKey && begun.data.publicKey.user) {
        cred = attestationJSON(await navigator.credentials.create({ publicKey: creationOptions(begun.data) }));
      } else {
        cred = assertionJSON(await navigator.credentials.get({ publicKey: requestOptions(begun.data) }));
      }
    } catch (e) {
      return { status: 0, data: { error: button.dataset.cancelled } };
    }
    return post(button.dataset.finish, { csrf: csrf, credential: cred });
  }

  function setUp(button) {
    const status = document.getElementById(button.id + '-status');
    const say = function (text) { if (status) status.textContent = text || ''; };
    if (!window.PublicKeyCredential || !navigator.credentials) {
      say(button.dataset.cancelled);
      return;
    }
    button.hidden = false;
    document.querySelectorAll('.passkey-nojs').forEach(function (p) { p.hidden = true; });
    button.addEventListener('click', async function () {
      button.disabled = true;
      say(button.dataset.working);
      const nameField = document.getElementById('passkey-name');
      const extra = button.id === 'passkey-add' && nameField ? { name: nameField.value } : {};
      try {
        const done = await run(button, extra);
        if (done.status === 200 && done.data.redirect) {
          window.location.assign(done.data.redirect);
          return;
        }
        say(done.data.error || button.dataset.cancelled);
        if (done.data.redirect) window.location.assign(done.data.redirect);
      } catch (e) {
        say(button.dataset.cancelled);
      }
      button.disabled = false;
    });
  }

  // For tests and other pages' scripts: the conversions and the raw calls.
  window.sigilloPasskeys = {
    b64uToBuf: b64uToBuf,
    bufToB64u: bufToB64u,
    post: post,
    creationOptions: creationOptions,
    requestOptions: requestOptions,
    attestationJSON: attestationJSON,
    assertionJSON: assertionJSON,
  };

  document.querySelectorAll('.passkey-button').forEach(setUp);
})();
