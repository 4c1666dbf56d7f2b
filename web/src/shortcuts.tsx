// Keyboard shortcuts: `?` lists them; `g` then a letter goes to a page; `/` searches; `j`/`k`
// move between the rows of a list. Never while typing in a field.
import { useEffect, useRef, useState } from 'react';
import { navigate } from './ui';

const GO: Readonly<Record<string, { to: string; name: string }>> = {
  p: { to: '/plans', name: 'Plans' },
  r: { to: '/runs', name: 'Runs' },
  i: { to: '/inbox', name: 'Inbox' },
  a: { to: '/audit', name: 'Audit' },
};

function typing(t: EventTarget | null): boolean {
  if (!(t instanceof HTMLElement)) return false;
  return t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName);
}

/** Focuses the page's search field (the runs page's when the page has none). */
function focusSearch(): void {
  const field = document.querySelector<HTMLInputElement>('main input[type="search"]');
  if (field !== null) {
    field.focus();
    return;
  }
  navigate('/runs');
  setTimeout(
    () => document.querySelector<HTMLInputElement>('main input[type="search"]')?.focus(),
    50,
  );
}

/** Moves focus to the next (1) or previous (-1) row link of the page's list. */
function moveRow(by: 1 | -1): void {
  const rows = [...document.querySelectorAll<HTMLElement>('main tbody tr td:first-child a')];
  if (rows.length === 0) return;
  const at = rows.indexOf(document.activeElement as HTMLElement);
  const next =
    at === -1 ? (by === 1 ? 0 : rows.length - 1) : Math.min(rows.length - 1, Math.max(0, at + by));
  rows[next]!.focus();
  rows[next]!.scrollIntoView({ block: 'nearest' });
}

/** The shortcuts and their help dialog. */
export function Shortcuts() {
  const [help, setHelp] = useState(false);
  const pending = useRef<number | null>(null);
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const on = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
      const g = pending.current !== null && Date.now() - pending.current < 1500;
      pending.current = null;
      if (g && GO[e.key] !== undefined) {
        e.preventDefault();
        setHelp(false);
        navigate(GO[e.key]!.to);
        return;
      }
      if (e.key === 'g') pending.current = Date.now();
      else if (e.key === '?') {
        e.preventDefault();
        setHelp((h) => !h);
      } else if (e.key === '/') {
        e.preventDefault();
        setHelp(false);
        focusSearch();
      } else if (e.key === 'j' || e.key === 'k') moveRow(e.key === 'j' ? 1 : -1);
    };
    addEventListener('keydown', on);
    return () => removeEventListener('keydown', on);
  }, []);
  useEffect(() => {
    const d = dialog.current;
    if (d === null) return;
    if (help && !d.open) d.showModal();
    if (!help && d.open) d.close();
  }, [help]);
  return (
    <dialog
      ref={dialog}
      className="shortcuts"
      aria-labelledby="keys-h"
      onClose={() => setHelp(false)}
    >
      <h2 id="keys-h">Keyboard shortcuts</h2>
      <dl>
        {Object.entries(GO).map(([k, v]) => (
          <div key={k}>
            <dt>
              <kbd>g</kbd> <kbd>{k}</kbd>
            </dt>
            <dd>go to {v.name}</dd>
          </div>
        ))}
        <div>
          <dt>
            <kbd>/</kbd>
          </dt>
          <dd>search (the runs when the page has no search)</dd>
        </div>
        <div>
          <dt>
            <kbd>j</kbd> <kbd>k</kbd>
          </dt>
          <dd>next / previous row of a list</dd>
        </div>
        <div>
          <dt>
            <kbd>?</kbd>
          </dt>
          <dd>show or hide this list</dd>
        </div>
      </dl>
      <button type="button" onClick={() => setHelp(false)}>
        Close
      </button>
    </dialog>
  );
}
