/** Entry point: applies the theme before the first paint, then renders the app shell. */
import { render } from 'preact';
import './styles.css';
import { App } from './shell/App';
import { applyAppearance } from './theme';

applyAppearance();
render(<App />, document.getElementById('app')!);
