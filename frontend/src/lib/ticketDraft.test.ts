import { afterEach, describe, expect, it } from 'vitest';
import { forgetTicketDraft, loadTicketDraft, saveTicketDraft } from './ticketDraft';

describe('ticket drafts', () => {
  afterEach(() => sessionStorage.clear());
  const draft = (owner: string) => ({ owner, category: 'OTHER', subject: `${owner}'s subject`, body: 'text', key: 'k' });

  it('are their author’s, and a sign-out forgets every one', () => {
    saveTicketDraft(draft('a'));
    saveTicketDraft(draft('b'));
    sessionStorage.setItem('graphiql:tabs', 'kept apart');
    expect(loadTicketDraft('a')?.subject).toBe("a's subject");
    expect(loadTicketDraft('c')).toBeNull();
    forgetTicketDraft('a');
    expect(loadTicketDraft('a')).toBeNull();
    expect(loadTicketDraft('b')).not.toBeNull();
    forgetTicketDraft();
    expect(loadTicketDraft('b')).toBeNull();
    expect(sessionStorage.getItem('graphiql:tabs')).toBe('kept apart');
  });

  it('an empty form keeps nothing, and another owner’s empty form forgets nothing', () => {
    saveTicketDraft(draft('a'));
    saveTicketDraft({ ...draft('b'), subject: ' ', body: '' });
    expect(loadTicketDraft('a')).not.toBeNull();
    expect(loadTicketDraft('b')).toBeNull();
  });
});
