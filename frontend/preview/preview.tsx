// Dev-only (npm run dev → /preview/): components on fixture data, for looking at
// them before their API exists. Not part of the build (only frontend/index.html is).
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '../src/styles.css';
import { CompetencyCard } from '../src/pages/competencies/CompetencyCard';
import { cloudPlatform } from '../src/pages/competencies/fixtures';

const purchase = async () => 'Not every requirement of this option is met: Customer references.';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <main className="content" style={{ display: 'grid', gap: 16 }}>
      <CompetencyCard progress={cloudPlatform} onPurchase={purchase} defaultExpanded />
      <CompetencyCard progress={{ ...cloudPlatform, status: 'IN_PROGRESS', competency: { ...cloudPlatform.competency, id: 'c2', name: 'Data Analytics' } }} onPurchase={purchase} />
    </main>
  </StrictMode>,
);
