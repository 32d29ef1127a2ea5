import { describe, expect, it } from 'vitest';
import { redactPii } from './redact.js';

describe('redactPii', () => {
  it('hides e-mails, Luhn-valid card numbers and phone numbers, and keeps ordinary numbers', () => {
    expect(redactPii('Write to jane.doe+shop@example.co.uk please')).toBe('Write to [email] please');
    expect(redactPii('card 4111 1111 1111 1111 expired')).toBe('card [card] expired');
    expect(redactPii('call +44 20 7946 0958 or (555) 123-4567')).toBe('call [phone] or [phone]');
    expect(redactPii('order 4111 1111 1111 1112 of 12 boxes on 2026-11-24')).not.toContain('[card]');
    expect(redactPii('3 stars, 20 grams, 1999')).toBe('3 stars, 20 grams, 1999');
  });
});
