import { startTransition, StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App, startPreload } from './App';

// The current page's code starts loading now, in parallel with the session check.
startPreload(window.location.pathname);

const root = createRoot(document.getElementById('root')!);
// A transition: React renders in slices and lets the browser paint and handle
// input in between, instead of one long task (the splash stays until it is done).
startTransition(() => {
  root.render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
});
