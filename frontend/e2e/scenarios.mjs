// The seed's story, walked as each demo role (SPEC "The demo"). Scenarios run in order
// against one server: later ones may rely on what earlier ones changed.
import { readFileSync } from 'node:fs';
import { expect } from './expect.mjs';

export const WORK_PASSWORD = 'certlink-demo';
export const LEARN_PASSWORD = 'learn-demo';

export async function signIn(page, email, password = WORK_PASSWORD) {
  await page.goto('/');
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await page.getByLabel('Work email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'My profile' }).waitFor();
}

export const scenarios = [
  {
    // The outcome of an action takes the focus its button lost (lib/focusRescue;
    // review: after a refusal, a purchase or a dialog closed by Escape the focus
    // fell to <body>). Changes nothing: lee ends as he began. First: it needs
    // alex's MCID still associated in Contoso, as the demo has it.
    name: 'keyboard: an action\'s outcome takes the focus its button lost',
    async run({ page }) {
      await signIn(page, 'lee@fabrikam.example');
      const active = () => page.evaluate(() => {
        const e = document.activeElement;
        return e && e !== document.body ? `${e.tagName} ${e.getAttribute('aria-label') ?? e.getAttribute('name') ?? ''} ${(e.textContent ?? '').trim().slice(0, 40)}` : 'BODY';
      });
      const password = page.getByLabel('Learning account password');
      await page.getByLabel('Learning account email').fill('jordan@learn.example');
      await password.fill('not-the-password');
      await page.getByRole('button', { name: 'Associate Learning account', exact: true }).click();
      await page.locator('[aria-invalid="true"]').first().waitFor();
      await page.waitForFunction(() => document.activeElement !== document.body, null, { timeout: 5000 }).catch(() => {});
      const afterRefusal = await active();
      expect(afterRefusal !== 'BODY' && (await page.evaluate(() => document.activeElement?.getAttribute('aria-invalid') === 'true' || !!document.activeElement?.closest('.alert'))),
        `a refused association leaves the focus on the field or message in error, not on ${afterRefusal}`);
      // A dialog closed with Escape gives the focus back to the button that opened it.
      await page.getByLabel('Learning account email').fill('alex@learn.example');
      await password.fill(LEARN_PASSWORD);
      await page.getByRole('button', { name: 'Associate Learning account', exact: true }).click();
      const dialog = page.getByRole('dialog', { name: /Move MCID 9900001/ });
      await dialog.waitFor();
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
      await page.waitForFunction(() => document.activeElement?.textContent?.trim() === 'Associate', null, { timeout: 5000 }).catch(() => {});
      const afterEscape = await active();
      expect(afterEscape.includes('Associate'), `Escape on the move dialog returns the focus to Associate, not to ${afterEscape}`);
      await password.fill('');
      await page.getByLabel('Learning account email').fill('');
    },
  },
  {
    name: 'sign-in errors are sentences',
    async run({ page, shot }) {
      await page.goto('/profile');
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      await shot('sign-in');
      await page.getByLabel('Work email').fill('alex@contoso.example');
      await page.getByLabel('Password').fill('wrong-password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      const alert = page.getByRole('alert');
      await alert.waitFor();
      const text = (await alert.textContent()) ?? '';
      expect(/email or password/i.test(text), `sign-in error reads as a sentence, got "${text}"`);
      expect(!/INVALID_CREDENTIALS/.test(text), 'no raw error code on screen');
      await shot('sign-in-error');
    },
  },
  {
    name: 'designations: mona reads the partner capability score, its window, and asks what if',
    async run({ page, shot }) {
      // Read-only (the what-if writes nothing): it runs before alex removes his Learning account.
      await signIn(page, 'mona@contoso.example');
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Designations' }).click();
      await page.getByRole('heading', { name: 'Solutions Partner designations', level: 1 }).waitFor();
      await page.getByTestId('live-indicator').filter({ hasText: /^Live/ }).waitFor();
      const infra = page.getByTestId('area-infrastructure-azure');
      await infra.getByRole('meter', { name: /Infrastructure \(Azure\): 65 of 100 points/ }).waitFor();
      await infra.getByText('Not qualified', { exact: true }).waitFor();
      await infra.getByText(/at zero: Advanced certifications/).first().waitFor();
      const summary = (await infra.getByTestId('window-summary').textContent()) ?? '';
      expect(/Qualified on 15 days .* the window holds until/.test(summary), `window summary, got "${summary}"`);
      expect((await page.locator('[data-testid^="area-"]').count()) === 6, 'six solution areas');
      await infra.getByRole('button', { name: 'Show metrics' }).click();
      const advanced = infra.getByRole('row', { name: /Advanced certifications/ });
      expect(/0 of 20 · at zero/.test((await advanced.textContent()) ?? ''), 'advanced certifications at zero');
      await shot('designations');

      await page.getByRole('button', { name: /What if/ }).click();
      await page.getByLabel('MCID').fill('9900001');
      await page.getByLabel('Exam or certification').fill('MC-AZURE-SOLUTIONS-ARCHITECT');
      await page.getByRole('button', { name: 'Add exam' }).click();
      await page.getByRole('button', { name: 'Run what-if' }).click();
      const line = infra.getByTestId('whatif-line');
      await line.filter({ hasText: /75 points, qualified, until/ }).waitFor();
      await infra.getByRole('meter', { name: /what-if 75/ }).waitFor();
      await shot('designations-whatif');
      // Nothing was saved: a fresh load shows 65 again.
      await page.reload();
      await page.getByTestId('area-infrastructure-azure').getByRole('meter', { name: /: 65 of 100 points$/ }).waitFor();
    },
  },
  {
    name: 'live: mona watches Competencies while alex removes his Learning account',
    async run({ page, context, base, shot }) {
      // Mona, in her own browser context, watches Data Analytics; nothing reloads her page.
      const monaContext = await context.browser().newContext({ baseURL: base, viewport: { width: 1280, height: 860 } });
      const monaErrors = [];
      const mona = await monaContext.newPage();
      mona.on('console', (msg) => msg.type() === 'error' && monaErrors.push(msg.text()));
      mona.on('pageerror', (err) => monaErrors.push(String(err)));
      try {
        await signIn(mona, 'mona@contoso.example');
        await mona.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Competencies' }).click();
        await mona.getByTestId('live-indicator').filter({ hasText: /^Live/ }).waitFor();
        const card = mona.getByRole('region', { name: /Data Analytics/ });
        await card.getByRole('button', { name: /Data Analytics/ }).click();
        const engineers = card.getByRole('row', { name: /One person who passed a data engineering/ });
        await engineers.getByRole('progressbar', { name: '1 of 1' }).waitFor();
        await mona.evaluate(() => {
          window.__certlinkNoReload = true;
        });
        const requestsBefore = [];
        mona.on('request', (r) => r.url().endsWith('/graphql') && r.method() === 'POST' && requestsBefore.push(r.url()));

        await signIn(page, 'alex@contoso.example');
        await page.getByTestId('mcid').getByText('9900001').waitFor();
        await page.getByText('Contoso Ltd', { exact: false }).first().waitFor();
        await shot('profile-linked');
        await shot('profile-viewport', { fullPage: false });
        await page.getByRole('button', { name: 'Remove access' }).click();
        const dialog = page.getByRole('dialog', { name: /Remove access/ });
        await dialog.waitFor();
        await shot('profile-remove-confirm');
        await dialog.getByRole('button', { name: 'Remove access' }).click();
        await page.getByRole('heading', { name: 'Associate Microsoft Learning account' }).waitFor();
        expect((await page.getByTestId('mcid').count()) === 0, 'MCID is gone after Remove access');
        await page.getByText('Access removed', { exact: false }).waitFor();
        await shot('profile-removed');

        // Mona's page follows over the socket: the count drops and the tick goes, without reload.
        await engineers.getByRole('progressbar', { name: '0 of 1' }).waitFor();
        await engineers.getByRole('img', { name: 'Not met' }).first().waitFor();
        expect(await mona.evaluate(() => window.__certlinkNoReload === true), "mona's page was not reloaded");
        expect(requestsBefore.length === 0, `the change came over the socket, not a refetch (${requestsBefore.length} POSTs)`);
        await mona.getByTestId('live-indicator').filter({ hasText: /^Live/ }).waitFor();
        await mona.evaluate(() => window.scrollTo(0, 0));
        await mona.screenshot({ path: new URL('../screenshots/competencies-live.png', import.meta.url).pathname, fullPage: false });
        // Reload: the change is stored, not just shown.
        await page.reload();
        await page.getByRole('heading', { name: 'Associate Microsoft Learning account' }).waitFor();
        expect((await page.getByTestId('mcid').count()) === 0, 'MCID stays gone after reload');
        await page.getByRole('button', { name: 'Sign out' }).click();
        await page.getByRole('heading', { name: 'Sign in' }).waitFor();
        expect(monaErrors.length === 0, `console errors on mona's page:\n    ${monaErrors.join('\n    ')}`);
      } finally {
        await monaContext.close();
      }
    },
  },
  {
    name: 'lee links jordan and sees MCID 9900003',
    async run({ page, shot }) {
      await signIn(page, 'lee@fabrikam.example');
      await page.getByRole('heading', { name: 'Associate Microsoft Learning account' }).waitFor();
      await shot('profile-unlinked');
      await page.getByLabel('Learning account email').fill('jordan@learn.example');
      await page.getByLabel('Learning account password').fill(LEARN_PASSWORD);
      await page.getByRole('button', { name: 'Associate Learning account', exact: true }).click();
      await page.getByTestId('mcid').getByText('9900003').waitFor();
      // L6: once linked, the next allowed association is a date, shown before trying.
      await page.getByTestId('next-association').filter({ hasNotText: 'Now' }).waitFor();
      await shot('profile-associated');
      // Keyboard: the confirmation opens from the keyboard and Escape cancels it.
      await page.getByRole('button', { name: 'Remove access' }).focus();
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog', { name: /Remove access/ });
      await dialog.waitFor();
      expect(await dialog.getByRole('button', { name: 'Cancel' }).evaluate((el) => el === document.activeElement), 'focus starts on Cancel');
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
      await page.getByTestId('mcid').getByText('9900003').waitFor();
    },
  },
  {
    name: 'riley is told when jordan may be associated again, in her own time zone',
    // Far east of UTC (UTC+14): a moment late in a UTC day is the next day there (outside review).
    context: { timezoneId: 'Pacific/Kiritimati', locale: 'en-US' },
    async run({ page, shot }) {
      await signIn(page, 'riley@contoso.example');
      await page.getByLabel('Learning account email').fill('jordan@learn.example');
      await page.getByLabel('Learning account password').fill(LEARN_PASSWORD);
      await page.getByRole('button', { name: 'Associate Learning account', exact: true }).click();
      const alert = page.getByRole('alert');
      await alert.waitFor();
      const text = (await alert.textContent()) ?? '';
      expect(/\b20\d\d\b/.test(text), `ASSOCIATION_LIMITED names the date, got "${text}"`);
      expect(!/ASSOCIATION_LIMITED|T\d\d:\d\d/.test(text), `no raw code or timestamp, got "${text}"`);
      // The moment the server gives, as Kiritimati reads it: its day there, its time and zone.
      const local = await page.evaluate(async (password) => {
        const res = await fetch('/graphql', {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            query: 'mutation($i: PreviewAssociationInput!) { previewAssociation(input: $i) { nextAssociationAllowedAt } }',
            variables: { i: { kind: 'LEARNING', email: 'jordan@learn.example', password } },
          }),
        });
        const next = (await res.json()).data.previewAssociation.nextAssociationAllowedAt;
        return new Intl.DateTimeFormat('en-US', { timeZone: 'Pacific/Kiritimati', year: 'numeric', month: 'long', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short' }).format(new Date(next));
      }, LEARN_PASSWORD);
      expect(/GMT\+14$/.test(local), `the expected moment names the zone, got "${local}"`);
      // The server's own words (the rule with its numbers, the date in UTC), then the moment there.
      expect(/We require a period of 30 days between associations and allow 3 per year\./.test(text), `the refusal names the rule, got "${text}"`);
      expect(text.includes(`That is ${local} where you are.`), `the refusal says ${local}, got "${text}"`);
      const next = (await page.getByTestId('next-association').textContent()) ?? '';
      expect(next === `from ${local}`, `the limits say from ${local}, got "${next}"`);
      await shot('profile-association-limited');
    },
  },
  {
    name: 'keyboard only: sign in and open Partner University access',
    async run({ page, shot }) {
      await page.goto('/');
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      // The email field has focus on arrival.
      await page.keyboard.type('riley@contoso.example');
      await page.keyboard.press('Tab');
      await page.keyboard.type(WORK_PASSWORD);
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'My profile' }).waitFor();
      const puButton = page.getByRole('button', { name: 'Get Partner University access' });
      for (let i = 0; i < 30 && !(await puButton.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
      expect(await puButton.evaluate((el) => el === document.activeElement), 'Tab reaches "Get Partner University access"');
      await page.keyboard.press('Enter');
      const email = page.getByLabel('Partner University email');
      await email.waitFor();
      expect(await email.evaluate((el) => el === document.activeElement), 'focus moves into the form');
      await shot('profile-partner-university-form');
    },
  },
  {
    name: 'profile at phone width with the menu',
    context: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
    async run({ page, shot }) {
      await signIn(page, 'lee@fabrikam.example');
      await page.getByTestId('mcid').getByText('9900003').waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow <= 0, `no horizontal scrolling at phone width (overflow ${overflow}px)`);
      await shot('phone-profile');
      await page.getByRole('button', { name: 'Menu' }).click();
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My profile' }).waitFor({ state: 'visible' });
      await page.waitForTimeout(400); // let the drawer finish sliding in
      await shot('phone-menu');
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    },
  },
  {
    name: 'grace runs a query in GraphiQL',
    async run({ page, shot }) {
      await signIn(page, 'grace@contoso.example');
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'GraphiQL' }).click();
      await page.locator('.graphiql-container .monaco-editor').first().waitFor();
      // The run button only works once the editors are ready: retry until a result shows.
      const result = page.locator('.result-window');
      for (let i = 0; i < 20 && !((await result.textContent()) ?? '').includes('grace@contoso.example'); i++) {
        await page.locator('.graphiql-execute-button').click();
        await page.waitForTimeout(500);
      }
      expect(((await result.textContent()) ?? '').includes('grace@contoso.example'), 'GraphiQL ran the query as grace (same-origin session)');
      // GraphiQL's own introspection query (15 levels deep) is allowed for an
      // admin's session: the docs explorer shows the schema and a type's fields.
      await page.locator('.graphiql-sidebar button[aria-label="Show Documentation Explorer"]').click();
      await page.locator('.graphiql-doc-explorer-type-name', { hasText: /^Query$/ }).first().click();
      await page.locator('.graphiql-doc-explorer-field-name', { hasText: /^competencyProgress$/ }).first().waitFor();
      expect((await page.locator('.graphiql-doc-explorer-error').count()) === 0, 'the docs explorer has a schema');
      await shot('graphiql-docs');
    },
  },
  {
    name: 'a default user gets no GraphiQL',
    async run({ page }) {
      await signIn(page, 'riley@contoso.example');
      expect((await page.getByRole('link', { name: 'GraphiQL' }).count()) === 0, 'no GraphiQL link for a default user');
      await page.goto('/graphiql');
      await page.getByText('This page is for admins').waitFor();
    },
  },
];

// Admins look at progress before alex removes his link (which changes it).
scenarios.splice(
  1,
  0,
  {
    name: 'mona opens Competencies, expands one, downloads the CSV',
    async run({ page, shot }) {
      await signIn(page, 'mona@contoso.example');
      const nav = page.getByRole('navigation', { name: 'Main' });
      await nav.getByRole('link', { name: 'Competencies' }).click();
      await page.getByRole('heading', { name: 'Competencies', level: 1 }).waitFor();
      await page.getByRole('button', { name: /Cloud Platform/ }).waitFor();
      await shot('competencies');
      const toggle = page.getByRole('button', { name: /Cloud Platform/ });
      await toggle.click();
      expect((await toggle.getAttribute('aria-expanded')) === 'true', 'Cloud Platform expands');
      await page.getByRole('table', { name: /Requirements of Cloud Platform Silver/ }).first().waitFor();
      await page.getByText('Alex Wilber').first().waitFor();
      await shot('competencies-expanded');
      await shot('competencies-viewport', { fullPage: false });
      // Learn why on an unmet option lists what is missing.
      await page.getByRole('button', { name: 'Learn why' }).first().click();
      await page.getByText('Still missing', { exact: false }).first().waitFor();

      await nav.getByRole('link', { name: 'Skills report' }).click();
      await page.getByRole('heading', { name: 'Skills report', level: 1 }).waitFor();
      await page.getByRole('table').getByText('9900001').first().waitFor();
      await shot('skills-report');
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download skills report' }).click()]);
      const name = download.suggestedFilename();
      expect(/^skills-report-4100001-\d{4}-\d{2}-\d{2}\.csv$/.test(name), `CSV file name names the MPN ID and date, got ${name}`);
      const csv = readFileSync(await download.path(), 'utf8');
      expect(csv.split('\n')[0].toLowerCase().includes('mcid'), 'CSV has a header row');
      expect(csv.includes('9900001'), "CSV lists alex's MCID");
    },
  },
  {
    name: 'mona ticks alex as leaving and a requirement loses its tick (what-if)',
    async run({ page, shot }) {
      await signIn(page, 'mona@contoso.example');
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Competencies' }).click();
      await page.getByRole('heading', { name: 'Competencies', level: 1 }).waitFor();
      const card = page.getByRole('region', { name: /Data Analytics/ });
      await card.getByRole('button', { name: /Data Analytics/ }).click();
      const metRows = card.locator('tr.req-met');
      await metRows.first().waitFor();
      expect((await card.getByRole('img', { name: /^What-if/ }).count()) === 0, 'no what-if before one runs');

      await page.getByRole('button', { name: 'What if…' }).click();
      await page.getByRole('checkbox', { name: 'Alex Wilber leaves' }).check();
      await page.getByRole('button', { name: 'Run what-if' }).click();
      await page.getByText('What-if shown').waitFor();
      // A requirement met today shows the what-if without its tick, beside the real one.
      const lost = metRows.filter({ has: page.getByRole('img', { name: 'What-if: not met' }) });
      await lost.first().waitFor();
      expect((await lost.first().getByRole('img', { name: 'Met' }).count()) > 0, 'the real tick stays beside the what-if');
      await page.getByText(/requirements? lose/).waitFor();
      await shot('competencies-what-if');
      await page.getByRole('region', { name: 'Capability score' }).getByText('What-if').first().waitFor();

      // A planned exam for an MCID that is not linked here is refused in a sentence.
      await page.getByLabel('MCID').fill('9900002');
      await page.getByLabel('Exam or certification').fill('AZ-104');
      await page.getByRole('button', { name: 'Add exam' }).click();
      await page.getByRole('button', { name: 'Run what-if' }).click();
      const alert = page.getByRole('alert').filter({ hasText: 'Planned exam 1' });
      await alert.waitFor();
      const text = (await alert.textContent()) ?? '';
      expect(/not linked to your organization\.$/.test(text) && !/INVALID_INPUT|addResults\[/.test(text), `a sentence, got "${text}"`);

      await page.getByRole('button', { name: 'Clear' }).click();
      await page.getByText('What-if shown').waitFor({ state: 'detached' });
      expect((await card.getByRole('img', { name: /^What-if/ }).count()) === 0, 'Clear removes the what-if');

      // The forecast: Data Analytics Silver becomes unmet when the retired DP-203 stops counting.
      await page.getByRole('tab', { name: 'Forecast' }).click();
      const item = page
        .getByRole('listitem')
        .filter({ has: page.getByRole('heading', { name: /data engineering or database exam/ }) })
        .first();
      await item.getByText('becomes unmet on', { exact: false }).waitFor();
      await item
        .getByText(/Alex Wilber stops counting: DP-203 was retired/)
        .first()
        .waitFor();
      await shot('competencies-forecast');
    },
  },
  {
    name: 'mona purchases the qualified Data Analytics offer',
    async run({ page, shot }) {
      await signIn(page, 'mona@contoso.example');
      await page.goto('/competencies');
      const card = page.getByRole('region', { name: /Data Analytics/ });
      await card.getByRole('button', { name: /Data Analytics/ }).click();
      const buy = card.getByRole('button', { name: 'Purchase offer' }).first();
      expect(await buy.isEnabled(), 'Purchase offer is enabled for the met Silver option');
      await buy.click();
      const dialog = page.getByRole('dialog', { name: /Purchase the Data Analytics Silver offer/ });
      await dialog.getByRole('button', { name: 'Purchase offer' }).click();
      await card.getByText('offer is purchased', { exact: false }).waitFor();
      // The offer shows on the card; the status follows the server (ACTIVE, or AT_RISK when a
      // retired exam's validity ends before the anniversary, as in the demo).
      await card.getByText(/Offer purchased for Silver/).waitFor();
      await card.getByText('Offer in force', { exact: false }).first().waitFor();
      await shot('competencies-purchased');
    },
  },
  {
    name: 'phone: the forecast fits and Escape closes the menu',
    context: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
    async run({ page, shot }) {
      await signIn(page, 'mona@contoso.example');
      await page.goto('/competencies');
      await page.getByRole('tab', { name: 'Forecast' }).click();
      await page.getByRole('tabpanel', { name: 'Forecast' }).getByRole('listitem').first().waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow <= 0, `the forecast fits at phone width (overflow ${overflow}px)`);
      await shot('phone-forecast');
      const menu = page.getByRole('button', { name: 'Menu' });
      await menu.click();
      expect((await menu.getAttribute('aria-expanded')) === 'true', 'the menu opens');
      await page.keyboard.press('Escape');
      await page.waitForFunction(() => document.querySelector('.topbar-menu')?.getAttribute('aria-expanded') === 'false');
      expect(await menu.evaluate((el) => el === document.activeElement), 'focus returns to the menu button');
    },
  },
  {
    name: 'a default user sees no competencies',
    async run({ page }) {
      await signIn(page, 'riley@contoso.example');
      expect((await page.getByRole('link', { name: 'Competencies' }).count()) === 0, 'no Competencies link for a default user');
      await page.goto('/skills-report');
      await page.getByText('This page is for admins').waitFor();
    },
  },
);

scenarios.push(
  {
    name: 'grace invites a user, who sets a password, then deletes them',
    async run({ page, context, shot }) {
      await signIn(page, 'grace@contoso.example');
      const nav = page.getByRole('navigation', { name: 'Main' });
      await nav.getByRole('link', { name: 'Users' }).click();
      await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
      await page.getByRole('cell', { name: /^Mona Kane/ }).waitFor();
      await page.getByRole('button', { name: 'Invite user' }).click();
      await page.getByLabel('Work email').fill('casey@contoso.example');
      await page.getByLabel('Name', { exact: true }).fill('Casey Jones');
      await page.getByRole('button', { name: 'Invite', exact: true }).click();
      const temporary = ((await page.getByTestId('temporary-password').textContent()) ?? '').trim();
      expect(temporary.length >= 8, `a temporary password is shown once, got "${temporary}"`);
      await page.getByRole('cell', { name: /^Casey Jones/ }).waitFor();
      await shot('users-invited');

      await nav.getByRole('link', { name: 'Dev mailbox' }).click();
      await page.getByText('casey@contoso.example', { exact: false }).first().waitFor();
      await shot('mailbox');

      // Casey signs in with the temporary password and must choose their own first.
      const casey = await context.browser().newPage({ baseURL: page.url() });
      try {
        await casey.goto('/');
        await casey.getByLabel('Work email').fill('casey@contoso.example');
        await casey.getByLabel('Password').fill(temporary);
        await casey.getByRole('button', { name: 'Sign in' }).click();
        await casey.getByRole('heading', { name: 'Choose your password' }).waitFor();
        await shot('password-gate-unused');
        await casey.getByLabel('Temporary password').fill(temporary);
        await casey.getByLabel('New password', { exact: true }).fill('violet-harbor-lantern-42');
        await casey.getByLabel('Confirm new password').fill('violet-harbor-lantern-42');
        await casey.getByRole('button', { name: 'Change password' }).click();
        await casey.getByRole('heading', { name: 'My profile' }).waitFor();
      } finally {
        await casey.close();
      }

      await nav.getByRole('link', { name: 'Users' }).click();
      await page.getByRole('button', { name: 'Delete Casey Jones' }).click();
      const dialog = page.getByRole('dialog', { name: 'Delete Casey Jones?' });
      await dialog.waitFor();
      await shot('users-delete-confirm');
      await dialog.getByRole('button', { name: 'Delete user' }).click();
      await page.getByText('Casey Jones is deleted.').waitFor();
      await page.getByRole('cell', { name: /^Casey Jones/ }).waitFor({ state: 'detached' });
      await shot('users');
      // The history keeps both the invitation and the deletion (B3).
      await nav.getByRole('link', { name: 'Audit log' }).click();
      await page.getByRole('cell', { name: 'User deleted' }).first().waitFor();
      await page.getByRole('cell', { name: 'User invited' }).first().waitFor();
      await shot('audit-log');
    },
  },
  {
    name: 'riley raises a support ticket and grace answers it',
    async run({ page, context, shot }) {
      await signIn(page, 'riley@contoso.example');
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Support' }).click();
      await page.getByRole('button', { name: 'New ticket' }).click();
      await page.getByLabel('Subject').fill('My AZ-104 does not show');
      await page.getByLabel('What happened?').fill('I passed AZ-104 last week but the report does not list it.');
      await page.getByRole('button', { name: 'Raise ticket' }).click();
      await page.getByText('My AZ-104 does not show').first().waitFor();

      const grace = await context.browser().newPage({ baseURL: page.url() });
      try {
        await signIn(grace, 'grace@contoso.example');
        await grace.goto('/support');
        await grace.getByText('My AZ-104 does not show').click();
        await grace.getByLabel('Reply').fill('Results arrive within minutes now; it is listed since this morning.');
        await grace.getByRole('button', { name: 'Send reply' }).click();
        await grace.getByText('Answered', { exact: true }).first().waitFor();
      } finally {
        await grace.close();
      }
      await page.reload();
      await page.getByText('My AZ-104 does not show').click();
      await page.getByText('it is listed since this morning', { exact: false }).waitFor();
      await shot('support');
    },
  },
  {
    name: 'an operator opens a ticket at its own address: reload, back and forward keep it',
    async run({ page }) {
      await signIn(page, 'ops@certlink.example');
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Support' }).click();
      const subject = page.getByText('My AZ-104 does not show').first();
      await subject.click();
      await page.waitForURL(/\/support\?ticket=[^&]+$/);
      const address = page.url();
      const ticket = page.locator('details', { has: page.getByText('My AZ-104 does not show') }).first();
      const reply = page.getByText('it is listed since this morning', { exact: false });
      await reply.waitFor();
      expect((await ticket.getAttribute('open')) !== null, 'the ticket is open');

      await page.reload();
      await reply.waitFor();
      expect(page.url() === address, `the reload keeps the address, got ${page.url()}`);

      await page.goBack();
      await page.waitForURL(/\/support$/);
      await reply.waitFor({ state: 'hidden' });
      expect((await ticket.getAttribute('open')) === null, 'back closes the ticket');
      await page.goForward();
      await page.waitForURL(address);
      await reply.waitFor();

      // The address is a link: another tab opens it on the ticket.
      const other = await page.context().newPage();
      try {
        await other.goto(address);
        await other.getByText('it is listed since this morning', { exact: false }).waitFor();
      } finally {
        await other.close();
      }
    },
  },
  {
    name: 'grace creates and revokes an API token',
    async run({ page, shot }) {
      await signIn(page, 'grace@contoso.example');
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API tokens' }).click();
      await page.getByRole('button', { name: 'Create token' }).click();
      await page.getByLabel('Name').fill('Power BI skills dashboard');
      await page.getByRole('button', { name: 'Create token', exact: true }).last().click();
      const secret = ((await page.getByTestId('token-secret').textContent()) ?? '').trim();
      expect(secret.length >= 16, 'the secret is shown once');
      await shot('api-tokens');
      await page.getByRole('button', { name: 'Revoke Power BI skills dashboard' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Revoke token' }).click();
      await page.getByText(/^Revoked /).waitFor();
    },
  },
  {
    name: 'grace reads her at-risk notifications',
    async run({ page, shot }) {
      await signIn(page, 'grace@contoso.example');
      const link = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /Notifications/ });
      await link.getByLabel(/unread/).waitFor();
      await link.click();
      await page.getByRole('heading', { name: 'Notifications', level: 1 }).waitFor();
      // One notification per event, titled by its cause (alex removed his Learning account).
      await page.getByText(/Alex Wilber removed their Learning account: .* no longer met/).first().waitFor();
      await shot('notifications');
      await page.getByRole('button', { name: 'Mark all as read' }).click();
      await page.getByRole('button', { name: 'Mark all as read' }).waitFor({ state: 'detached' });
      await link.getByLabel(/unread/).waitFor({ state: 'detached' });
    },
  },
  {
    name: 'a default user has an empty notifications page',
    async run({ page }) {
      await signIn(page, 'lee@fabrikam.example');
      await page.goto('/notifications');
      await page.getByText('No notifications').waitFor();
    },
  },
);

scenarios.push({
  name: 'admin pages at phone width',
  context: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
  async run({ page, shot }) {
    await signIn(page, 'grace@contoso.example');
    for (const [path, heading, name] of [
      ['/competencies', 'Competencies', 'phone-competencies'],
      ['/skills-report', 'Skills report', 'phone-skills-report'],
      ['/users', 'Users', 'phone-users'],
    ]) {
      const res = await page.goto(path);
      // A path that is no page of the app shows the app's "not found" page, with the status 404.
      expect(res.status() === (path === '/no-such-page' ? 404 : 200), `${path}: status ${res.status()}`);
      await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
      await page.waitForLoadState('networkidle');
      if (path === '/competencies') await page.getByRole('button', { name: /Data Analytics/ }).click();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow <= 0, `${path}: no horizontal page scrolling at phone width (overflow ${overflow}px)`);
      await shot(name);
    }
  },
});

// Moves and deletions on a certlink without the 30-day cooldown, so one MCID can move at once.
const NO_COOLDOWN = ['--association-cooldown=0s'];

async function associate(page, email) {
  await page.getByLabel('Learning account email').fill(email);
  await page.getByLabel('Learning account password').fill(LEARN_PASSWORD);
  await page.getByRole('button', { name: 'Associate Learning account', exact: true }).click();
}

async function signOut(page) {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
}

scenarios.push(
  {
    name: 'a moved MCID seen from both organizations',
    serverArgs: NO_COOLDOWN,
    async run({ page, shot }) {
      await signIn(page, 'lee@fabrikam.example');
      await associate(page, 'jordan@learn.example');
      await page.getByTestId('mcid').getByText('9900003').waitFor();
      await signOut(page);

      // Riley, in Contoso, enters the same account: told first that its Fabrikam link ends.
      await signIn(page, 'riley@contoso.example');
      await associate(page, 'jordan@learn.example');
      const dialog = page.getByRole('dialog', { name: 'Move MCID 9900003 to Contoso Ltd?' });
      await dialog.waitFor();
      const said = (await dialog.textContent()) ?? '';
      expect(said.includes('Fabrikam Inc') && said.includes('stops counting for Fabrikam Inc'), `the move names what ends, got "${said}"`);
      await shot('profile-move-confirm', { fullPage: false });
      await dialog.getByRole('button', { name: 'Associate and end the other link' }).click();
      await page.getByTestId('mcid').getByText('9900003').waitFor();
      await signOut(page);

      // Fabrikam's admin is told once, without a word of who holds it now or where.
      await signIn(page, 'sam@fabrikam.example');
      await page.goto('/notifications');
      const items = page.getByRole('list', { name: 'Notifications' }).getByRole('listitem');
      await items.first().waitFor();
      const moved = items.filter({ hasText: 'moved to another organization' });
      expect((await moved.count()) === 1, `one notification of the move, got ${await moved.count()}`);
      const text = (await moved.first().textContent()) ?? '';
      expect(!/Riley|riley@|Contoso/.test(text), `the previous organization learns nothing of the new one: "${text}"`);
      await shot('notifications-moved');
      await signOut(page);

      // Lee's profile no longer shows it; Contoso's admins were not told of a gain.
      await signIn(page, 'lee@fabrikam.example');
      await page.getByRole('heading', { name: 'Associate Microsoft Learning account' }).waitFor();
      expect((await page.getByTestId('mcid').count()) === 0, "jordan's MCID left lee");
    },
  },
  {
    name: "a deletion is explained before it happens and is one notification",
    serverArgs: NO_COOLDOWN,
    async run({ page, shot }) {
      await signIn(page, 'grace@contoso.example');
      const nav = page.getByRole('navigation', { name: 'Main' });
      await nav.getByRole('link', { name: 'Users' }).click();
      await page.getByRole('button', { name: 'Delete Alex Wilber' }).click();
      const dialog = page.getByRole('dialog', { name: 'Delete Alex Wilber?' });
      const impact = dialog.getByTestId('impact');
      await impact.waitFor();
      const lost = (await impact.textContent()) ?? '';
      expect(/lose their tick/.test(lost) && /Cloud Platform · Silver/.test(lost), `the dialog lists the requirements lost, got "${lost}"`);
      await shot('users-delete-impact', { fullPage: false });
      await dialog.getByRole('button', { name: 'Delete user' }).click();
      await page.getByText('Alex Wilber is deleted.').waitFor();

      await nav.getByRole('link', { name: /Notifications/ }).click();
      const items = page.getByRole('list', { name: 'Notifications' }).getByRole('listitem');
      await items.first().waitFor();
      const deleted = items.filter({ hasText: "Alex Wilber's work account was deleted" });
      expect((await deleted.count()) === 1, `one notification for one deletion, got ${await deleted.count()}`);
      const body = (await deleted.first().textContent()) ?? '';
      expect(/No longer met:/.test(body) && (body.match(/\n?- /g) ?? []).length >= 2, `it lists every requirement, got "${body}"`);
      await shot('notifications');
      // Its link opens the exact competencies.
      await deleted.first().getByRole('link', { name: 'Open' }).click();
      await page.waitForURL(/\/competencies\?open=/);
      await page.locator('.competency-toggle[aria-expanded="true"]').first().waitFor();
      await shot('competencies-opened-from-notification', { fullPage: false });

      // One mail per admin, with the cause in the subject.
      await nav.getByRole('link', { name: 'Dev mailbox' }).click();
      const mails = page.getByText("Alex Wilber's work account was deleted", { exact: false });
      await mails.first().waitFor();
      expect((await mails.count()) === 2, `one mail to grace and one to mona, got ${await mails.count()}`);
    },
  },
  {
    // Outside review: riley's tab, left open while jordan's MCID was associated elsewhere, offered
    // to remove it, said "you counts towards none now", then "You have no Microsoft Learning
    // account associated." inside the dialog over a page that still showed the MCID.
    name: 'a tab left open learns that its MCID moved away',
    serverArgs: NO_COOLDOWN,
    async run({ page, context, base, shot }) {
      await signIn(page, 'riley@contoso.example');
      await page.getByTestId('mcid').getByText('9900003').waitFor();

      const graceContext = await context.browser().newContext({ baseURL: base, viewport: { width: 1280, height: 860 } });
      try {
        const grace = await graceContext.newPage();
        await signIn(grace, 'grace@contoso.example');
        await associate(grace, 'jordan@learn.example');
        const move = grace.getByRole('dialog', { name: 'Move MCID 9900003 to your work account?' });
        await move.getByRole('button', { name: 'Associate and end the other link' }).click();
        await grace.getByTestId('mcid').getByText('9900003').waitFor();

        // Riley's tab still shows it; Remove access finds it gone and says so.
        await page.getByRole('button', { name: 'Remove access' }).click();
        const said = page.getByText('MCID 9900003 is no longer associated with your work account: it was moved to another work account or removed elsewhere.', { exact: false });
        await said.waitFor();
        await page.getByRole('heading', { name: 'Associate Microsoft Learning account' }).waitFor();
        expect((await page.getByRole('dialog').count()) === 0, 'no Remove access dialog is left open');
        expect((await page.getByTestId('mcid').count()) === 0, "the page no longer shows riley's old MCID");
        expect((await page.getByText(/you counts|no Microsoft Learning account associated/).count()) === 0, 'neither the old grammar nor the raw refusal');
        await shot('profile-moved-away');

        // Riley takes it back; grace's tab corrects itself when she returns to it.
        await associate(page, 'jordan@learn.example');
        await page.getByRole('dialog', { name: 'Move MCID 9900003 to your work account?' }).getByRole('button', { name: 'Associate and end the other link' }).click();
        await page.getByTestId('mcid').getByText('9900003').waitFor();
        await grace.waitForTimeout(2100);
        await grace.evaluate(() => window.dispatchEvent(new Event('focus')));
        await grace.getByRole('heading', { name: 'Associate Microsoft Learning account' }).waitFor();
        expect((await grace.getByTestId('mcid').count()) === 0, "grace's tab no longer shows the MCID riley took back");
      } finally {
        await graceContext.close();
      }
    },
  },

);

// Accessibility: axe-core (WCAG 2.1 A and AA rules) on every page an admin walks, a dialog open,
// and the 404 page. The page's CSP allows no inline script, so this context bypasses it to inject axe.
const axeSource = readFileSync(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');

// GraphiQL's tab bar puts a close button inside each tab (nested-interactive): its markup is the
// library's, so its tabs are left out; the rest of GraphiQL is checked (its contrast is ours to fix).
export async function axeViolations(page) {
  await page.addScriptTag({ content: axeSource });
  return page.evaluate(async () => {
    const r = await window.axe.run(
      { exclude: [['.graphiql-tab']] },
      { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } },
    );
    return r.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
  });
}

scenarios.push({
  name: 'axe: no WCAG 2.1 AA violation on the admin pages',
  notFound: ['/no-such-page'],
  context: { bypassCSP: true },
  async run({ page }) {
    await signIn(page, 'grace@contoso.example');
    const found = [];
    const check = async (label) => {
      for (const v of await axeViolations(page)) found.push(`${label}: ${v}`);
    };
    for (const [path, heading] of [
      ['/profile', 'My profile'],
      ['/competencies', 'Competencies'],
      ['/designations', 'Solutions Partner designations'],
      ['/skills-report', 'Skills report'],
      ['/users', 'Users'],
      ['/audit-log', 'Audit log'],
      ['/notifications', 'Notifications'],
      ['/mailbox', 'Dev mailbox'],
      ['/no-such-page', "This page doesn't exist"],
    ]) {
      const res = await page.goto(path);
      // A path that is no page of the app shows the app's "not found" page, with the status 404.
      expect(res.status() === (path === '/no-such-page' ? 404 : 200), `${path}: status ${res.status()}`);
      await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
      await page.waitForLoadState('networkidle');
      if (path === '/competencies') await page.getByRole('button', { name: /Cloud Platform/ }).click();
      await check(path);
    }
    await page.goto('/users');
    await page.getByRole('button', { name: 'Delete Riley Chen' }).click();
    await page.getByRole('dialog').getByTestId('impact').waitFor();
    await check('/users, Delete dialog');
    await page.keyboard.press('Escape');
    await page.goto('/graphiql');
    await page.locator('.graphiql-container .monaco-editor').first().waitFor();
    await page.waitForTimeout(1000);
    await check('/graphiql');
    expect(found.length === 0, `axe violations:\n    ${found.join('\n    ')}`);
  },
});

// Layout: long unbroken text (a name, an email, a ticket subject, a token name; the API accepts
// them) wraps or scrolls inside its own box, and no signed-in page is wider than the viewport, at
// phone and desktop width. Its own server (--demo=true is the default for SQLite): it renames the
// demo's people, which the scenarios above rely on. Names are at most 200 characters.
const LONG_NAME = 'W'.repeat(200);
const SIGNED_IN_PAGES = [
  ['/profile', 'My profile'],
  ['/competencies', 'Competencies'],
  ['/designations', 'Solutions Partner designations'],
  ['/skills-report', 'Skills report'],
  ['/users', 'Users'],
  ['/notifications', 'Notifications'],
  ['/support', 'Support'],
  ['/audit-log', 'Audit log'],
  ['/api-tokens', 'API tokens'],
  ['/mailbox', 'Dev mailbox'],
  ['/graphiql', null],
];

async function seedLongValues(page) {
  const errors = await page.evaluate(async (long) => {
    const gql = async (query, variables) => {
      const res = await fetch('/graphql', { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
      return res.json();
    };
    const out = [];
    const check = (r) => r.errors && out.push(JSON.stringify(r.errors));
    const users = await gql('{ users(first: 50) { edges { node { id email } } } }');
    check(users);
    const id = (prefix) => users.data.users.edges.find((e) => e.node.email.startsWith(prefix)).node.id;
    const update = 'mutation($i: UpdateUserInput!) { updateUser(input: $i) { user { id } } }';
    check(await gql(update, { i: { id: id('grace@'), name: 'G'.repeat(200) } })); // the signed-in user: the top bar
    check(await gql(update, { i: { id: id('alex@'), name: long } })); // linked: competencies, report, designations
    check(await gql(update, { i: { id: id('riley@'), name: 'R'.repeat(200), email: `${'r'.repeat(64)}@contoso.example` } }));
    check(await gql('mutation($i: InviteUserInput!) { inviteUser(input: $i) { user { id } } }', { i: { email: `${'i'.repeat(64)}@contoso.example`, name: 'N'.repeat(200) } }));
    check(await gql('mutation($i: CreateSupportTicketInput!) { createSupportTicket(input: $i) { id } }', { i: { category: 'OTHER', subject: 'S'.repeat(300), body: 'B'.repeat(1000) } }));
    check(await gql('mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { token { id } } }', { i: { name: 'T'.repeat(200), scopes: ['REPORT_READ'] } }));
    return out;
  }, LONG_NAME);
  expect(errors.length === 0, `seeding long values: ${errors.join('; ')}`);
}

for (const width of [390, 1280]) {
  scenarios.push({
    name: `layout: long unbroken names, no page wider than ${width} px`,
    serverArgs: ['--demo=true'],
    context: width === 390 ? { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true } : { viewport: { width: 1280, height: 860 } },
    async run({ page, shot }) {
      await signIn(page, 'grace@contoso.example');
      if (width === 390) await seedLongValues(page); // the 390 px run comes first
      const wide = [];
      for (const [path, heading] of SIGNED_IN_PAGES) {
        await page.goto(path);
        if (heading) await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
        else await page.locator('.graphiql-container .monaco-editor').first().waitFor();
        await page.waitForLoadState('networkidle');
        // Open what folds (competency cards, metrics tables, mails): one at a time, as each
        // opened one leaves the selection.
        const folded = page.locator('main').locator('button[aria-expanded="false"]:visible, details:not([open]) > summary:visible');
        // Against the set width: with isMobile, window.innerWidth grows with an overflowing page.
        const before = (await page.evaluate(() => document.documentElement.scrollWidth)) - width;
        if (before > 0) wide.push(`${path} as loaded (${before} px too wide)`);
        if (path === '/support') {
          // A ticket opens alone (its address names it): each in turn, measured open.
          const summaries = page.locator('main details > summary');
          for (let i = 0, n = await summaries.count(); i < n; i++) {
            await summaries.nth(i).click({ timeout: 5000 });
            await page.locator('main details[open]').nth(0).waitFor();
            const open = (await page.evaluate(() => document.documentElement.scrollWidth)) - width;
            if (open > 0) wide.push(`${path} with ticket ${i + 1} open (${open} px too wide)`);
          }
        }
        for (let i = 0; path !== '/support' && i < 40 && (await folded.count()) > 0; i++) {
          const err = await folded.first().click({ timeout: 5000 }).then(() => null, (e) => e);
          if (err) {
            wide.push(`${path}: a folded part could not be opened (${String(err.message).split('\n')[0]})`);
            break;
          }
        }
        if (path === '/users') await page.locator('main').getByText(LONG_NAME, { exact: true }).first().waitFor();
        const overflow = (await page.evaluate(() => document.documentElement.scrollWidth)) - width;
        if (overflow > 0) wide.push(`${path} opened (${overflow} px too wide)`);
        if (path === '/support' || path === '/competencies') await shot(`layout-long-${path.slice(1)}-${width}`);
      }
      expect(wide.length === 0, `pages wider than ${width} px: ${wide.join(', ')}`);
    },
  });
}
