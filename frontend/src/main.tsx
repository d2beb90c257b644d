import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App, startPreload } from './App';
import './styles.css';

// The current page's code starts loading now, in parallel with the session check.
startPreload(window.location.pathname);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
