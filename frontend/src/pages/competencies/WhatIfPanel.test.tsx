import { describe, expect, it, vi } from 'vitest';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { WhatIfPanel } from './WhatIfPanel';
import { CompetencyCard } from './CompetencyCard';
import { cloudPlatform } from './fixtures';
import { describeWhatIfError } from './whatIf';
import { gqlError } from '../../test/mockClient';
import type { CompetencyProgressView } from './types';

const people = [
  { id: 'u1', name: 'Alex Wilber', email: 'alex@contoso.example', learningAccount: { mcid: '9900001' } },
  { id: 'u2', name: 'Riley Chen', email: 'riley@contoso.example', learningAccount: null },
];
const skills = [
  { number: 'AZ-104', title: 'Microsoft Azure Administrator' },
  { number: 'AZ-305', title: 'Designing Microsoft Azure Infrastructure Solutions' },
];

describe('WhatIfPanel', () => {
  it('sends the people ticked as leaving and the planned exams, then shows the summary', async () => {
    const onRun = vi.fn().mockResolvedValue(null);
    render(<WhatIfPanel people={people} skills={skills} onRun={onRun} onClear={vi.fn()} summary="1 requirement loses its tick." defaultOpen />);
    await userEvent.click(screen.getByRole('checkbox', { name: 'Alex Wilber leaves' }));
    await userEvent.type(screen.getByLabelText('MCID'), '9900001');
    await userEvent.type(screen.getByLabelText('Exam or certification'), 'az-305');
    await userEvent.click(screen.getByRole('button', { name: 'Add exam' }));
    const planned = screen.getByRole('list', { name: 'Planned exams' });
    expect(within(planned).getByText('AZ-305 · Alex Wilber')).toBeTruthy();
    expect(screen.getByText('1 person leaving · 1 planned exam')).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Run what-if' }));
    expect(onRun).toHaveBeenCalledWith({ removePeople: ['u1'], addResults: [{ mcid: '9900001', skillNumber: 'AZ-305' }] });
    const summary = (await screen.findByText('1 requirement loses its tick.')).closest('[role="status"]');
    expect(summary).toBeTruthy();
    // The button was disabled while it ran: the outcome takes the focus (review).
    expect(document.activeElement).toBe(summary);
    expect(screen.getByText('What-if shown')).toBeTruthy();
  });

  it('asks for something to try, and for both parts of a planned exam', async () => {
    const onRun = vi.fn();
    render(<WhatIfPanel people={people} skills={skills} onRun={onRun} onClear={vi.fn()} defaultOpen />);
    await userEvent.click(screen.getByRole('button', { name: 'Run what-if' }));
    expect(screen.getByRole('alert').textContent).toBe('Tick someone as leaving or add a planned exam first.');
    expect(onRun).not.toHaveBeenCalled();
    await userEvent.type(screen.getByLabelText('MCID'), '9900001');
    await userEvent.click(screen.getByRole('button', { name: 'Add exam' }));
    expect(screen.getAllByRole('alert').map((a) => a.textContent)).toContain('Enter the exam or certification number, for example AZ-104.');
  });

  it('shows a refusal as a sentence naming the planned exam, and Clear resets everything', async () => {
    const request = { removePeople: [], addResults: [{ mcid: '9900002', skillNumber: 'AZ-104' }] };
    const sentence = describeWhatIfError(gqlError('INVALID_INPUT', 'addResults[0]: MCID "9900002" is not linked to your organization.', { field: 'addResults[0]' }), request);
    expect(sentence).toBe('Planned exam 1 (AZ-104 for MCID 9900002): MCID "9900002" is not linked to your organization.');
    const onRun = vi.fn().mockResolvedValue(sentence);
    const onClear = vi.fn();
    render(<WhatIfPanel people={people} skills={skills} onRun={onRun} onClear={onClear} defaultOpen />);
    await userEvent.type(screen.getByLabelText('MCID'), '9900002');
    await userEvent.type(screen.getByLabelText('Exam or certification'), 'AZ-104{Enter}');
    await userEvent.click(screen.getByRole('button', { name: 'Run what-if' }));
    expect((await screen.findByRole('alert')).textContent).toBe(sentence);
    expect(document.activeElement).toBe(screen.getByRole('alert'));
    expect(screen.queryByText('What-if shown')).toBeNull();
    await userEvent.click(screen.getByRole('checkbox', { name: 'Riley Chen leaves' }));
    await userEvent.click(screen.getByRole('button', { name: 'Clear' }));
    expect(onClear).toHaveBeenCalled();
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.queryByRole('list', { name: 'Planned exams' })).toBeNull();
    expect((screen.getByRole('checkbox', { name: 'Riley Chen leaves' }) as HTMLInputElement).checked).toBe(false);
  });

  // Review: after a run with results, a run that failed left them shown under the new plan's header.
  it('drops the shown result when a later run fails, and when the plan changes', async () => {
    const onRun = vi.fn().mockResolvedValueOnce(null).mockResolvedValueOnce('The what-if could not run.').mockResolvedValue(null);
    const onClear = vi.fn();
    render(<WhatIfPanel people={people} skills={skills} onRun={onRun} onClear={onClear} summary="1 requirement loses its tick." defaultOpen />);
    await userEvent.click(screen.getByRole('checkbox', { name: 'Alex Wilber leaves' }));
    await userEvent.click(screen.getByRole('button', { name: 'Run what-if' }));
    expect(await screen.findByText('What-if shown')).toBeTruthy();
    expect(onClear).not.toHaveBeenCalled();

    await userEvent.click(screen.getByRole('checkbox', { name: 'Riley Chen leaves' }));
    // The plan changed: the result of the other plan goes.
    expect(onClear).toHaveBeenCalledTimes(1);
    expect(screen.queryByText('What-if shown')).toBeNull();
    expect(screen.queryByText('1 requirement loses its tick.')).toBeNull();
    await userEvent.click(screen.getByRole('button', { name: 'Run what-if' }));
    expect((await screen.findByRole('alert')).textContent).toBe('The what-if could not run.');
    expect(onClear).toHaveBeenCalledTimes(2);
    expect(screen.queryByText('What-if shown')).toBeNull();

    // A run that succeeds shows its result again; the plan it ran is the one shown.
    await userEvent.click(screen.getByRole('button', { name: 'Run what-if' }));
    expect(await screen.findByText('What-if shown')).toBeTruthy();
    expect(onClear).toHaveBeenCalledTimes(2);
  });

  it('names a person who is gone when removePeople is refused', () => {
    const sentence = describeWhatIfError(gqlError('INVALID_INPUT', 'The value of simulateProgress.input.removePeople[0] is not valid.'), { removePeople: ['u2'], addResults: [] }, people);
    expect(sentence).toBe('Riley Chen is no longer in your organization. Reload the page and try again.');
  });
});

describe('CompetencyCard with a what-if', () => {
  // Alex leaves: the Standard option's first requirement drops to 1 of 2 and loses its tick.
  const [silver, ...otherLevels] = cloudPlatform.levels;
  const [standard, ...otherOptions] = silver.options;
  const [first, ...otherRequirements] = standard.requirements;
  const sim: CompetencyProgressView = {
    ...cloudPlatform,
    status: 'IN_PROGRESS',
    levels: [
      {
        ...silver,
        options: [
          { ...standard, met: false, requirements: [{ ...first, current: 1, met: false, people: [{ id: 'u2', name: 'Riley Chen', email: 'riley@contoso.example' }] }, ...otherRequirements] },
          ...otherOptions,
        ],
      },
      ...otherLevels,
    ],
  };

  it('shows the what-if tick, count, status and who stops counting beside the real ones', () => {
    render(<CompetencyCard progress={cloudPlatform} onPurchase={vi.fn()} whatIf={sim} defaultExpanded />);
    expect(screen.getByRole('button', { name: /Cloud Platform/ }).textContent).toContain('In progress');
    const table = screen.getByRole('table', { name: 'Requirements of Cloud Platform Silver, Standard option' });
    const row = within(table).getAllByRole('row')[1];
    expect(within(row).getAllByRole('img', { name: 'Met' }).length).toBeGreaterThan(0);
    expect(within(row).getByRole('img', { name: 'What-if: not met' })).toBeTruthy();
    expect(within(row).getByTestId('whatif-count').textContent).toContain('1 / 2');
    expect(within(row).getByText('Alex Wilber').tagName).toBe('DEL');
    // Attested requirements are not simulated.
    expect(within(within(table).getAllByRole('row')[2]).queryByTestId('whatif-count')).toBeNull();
  });
});
