// Asked when /api/* answers 401: the server has server.auth.tokens. The token
// stays in this tab's sessionStorage and goes out as an Authorization header.
import { useState } from 'preact/hooks';

interface Props {
  refused: boolean;
  onToken(token: string): void;
}

export function TokenPrompt({ refused, onToken }: Props) {
  const [value, setValue] = useState('');
  return (
    <section aria-label="Sign in" class="panel token-prompt">
      <h2>This server needs a token</h2>
      <p>The API is protected by bearer tokens (server.auth.tokens in scriptcode.yaml). Enter one to use the console; it is kept for this tab only (sessionStorage) and sent as an Authorization header.</p>
      {refused && <p role="alert" class="error">The server refused the token. Check it and try again.</p>}
      <form onSubmit={(e) => { e.preventDefault(); if (value.trim()) onToken(value.trim()); }}>
        <label for="token">Token</label>{' '}
        <input id="token" type="password" autocomplete="off" value={value} onInput={(e) => setValue((e.target as HTMLInputElement).value)} />{' '}
        <button type="submit" class="primary">Use token</button>
      </form>
    </section>
  );
}
