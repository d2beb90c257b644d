// Monaco's web workers for GraphiQL, declared in our own source so Vite's worker
// plugin bundles them in both dev and build. graphiql's own `setup-workers/vite`
// hides the `?worker` imports inside node_modules, which Vite's dependency
// optimizer cannot load (the dev server dies).
import EditorWorker from 'monaco-editor/esm/vs/editor/editor.worker.js?worker';
import JsonWorker from 'monaco-editor/esm/vs/language/json/json.worker.js?worker';
import GraphQLWorker from 'monaco-graphql/esm/graphql.worker.js?worker';

(globalThis as { MonacoEnvironment?: unknown }).MonacoEnvironment = {
  getWorker(_workerId: string, label: string): Worker {
    if (label === 'json') return new JsonWorker();
    if (label === 'graphql') return new GraphQLWorker();
    return new EditorWorker();
  },
};
