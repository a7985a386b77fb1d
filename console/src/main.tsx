// The ScriptCode web console (docs/console.md): Preact over the server's /api/*.
import { render } from 'preact';
import { App } from './app';
import './styles.css';

render(<App />, document.getElementById('app')!);
