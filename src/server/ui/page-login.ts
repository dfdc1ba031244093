import { html, type Html } from './html.ts';
import { type Access, actionsNote, page, UI } from './layout.ts';

export function loginPage(access: Access, problem?: string): Html {
  const body =
    access.mode === 'read-only'
      ? html`<h1>Log in</h1>${actionsNote(access)}`
      : html`<h1>Log in for actions</h1>
${problem ? html`<p class="error" id="login-error">${problem}</p>` : ''}
<form method="post" action="${UI}/login" class="login">
<label for="token">Token (the contents of the <code>--ui-token-file</code>)</label>
<input id="token" name="token" type="password" autocomplete="current-password" required>
<button type="submit">Log in</button></form>
<p class="muted">Scripts can send the token as <code>Authorization: Bearer …</code> instead.</p>`;
  return page({ title: 'Log in', access, body });
}

/** A refusal a person sees in the browser (a script gets JSON). */
export function refusalPage(access: Access, title: string, message: string): Html {
  return page({
    title,
    access,
    body: html`<h1>${title}</h1><p class="error" id="refused">${message}</p><p><a href="${UI}/">Back to the dashboard</a></p>`,
  });
}
