// Loaded only through React.lazy: GraphiQL and Monaco are several MB and must stay
// out of the main bundle (SPEC A3: bundled, works offline, for admins).
import './graphiqlWorkers';
import 'graphiql/style.css';
import { GraphiQL } from 'graphiql';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { consoleStorage } from '../lib/consoleHistory';

const fetcher = createGraphiQLFetcher({
  url: '/graphql',
  // The console runs as the signed-in admin: the session cookie, same origin only.
  fetch: (input, init) => fetch(input, { ...init, credentials: 'same-origin' }),
});

const defaultQuery = `# Custom queries run as you: they read exactly what you may read, nothing more.
# Press Ctrl+Enter to run. Open the docs on the left to browse the schema.
query MyProfile {
  me {
    name
    email
    roles
    organization { mpnId name }
    learningAccount { mcid linkedAt }
    nextAssociationAllowedAt
    associationsRemaining
  }
}
`;

export default function GraphiQLPage() {
  return (
    <div className="graphiql-host">
      <h1 className="sr-only">GraphiQL console</h1>
      <GraphiQL
        fetcher={fetcher}
        defaultQuery={defaultQuery}
        shouldPersistHeaders={false}
        defaultEditorToolsVisibility={false}
        storage={consoleStorage()}
      />
    </div>
  );
}
