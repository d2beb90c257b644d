// The entry: index.html's splash ("Starting certlink…") paints as soon as the
// stylesheet arrives; the app (boot.tsx, already fetched through modulepreload
// links the build adds) runs after that first frame. Where frames do not come
// (a background tab), it starts anyway shortly after.
import './styles.css';

let started = false;
function start() {
  if (started) return;
  started = true;
  import('./boot').catch(() => {
    const root = document.getElementById('root');
    if (root) root.innerHTML = '<div class="boot"><p role="alert">certlink could not load. Check your connection and reload the page.</p></div>';
  });
}
requestAnimationFrame(() => setTimeout(start, 0));
setTimeout(start, 250);
