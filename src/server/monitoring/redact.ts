// Optional PII redaction for logged inputs: e-mail addresses, phone numbers and payment card numbers (only digit
// runs that pass the Luhn check, so order numbers and dates survive).

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
// A card number: 13–19 digits, optionally in groups split by spaces or dashes.
const CARD = /\b\d(?:[ -]?\d){12,18}\b/g;
// A phone number: an optional +country code, then 7–14 more digits with common separators.
const PHONE = /(?<![\w])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\d{2,4}(?:[ .-]?\d{2,4}){2,4}(?![\w])/g;

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** The text with e-mails, card numbers and phone numbers replaced by [email], [card] and [phone]. */
export function redactPii(text: string): string {
  return text
    .replace(EMAIL, '[email]')
    .replace(CARD, (m) => (luhn(m.replace(/\D/g, '')) ? '[card]' : m))
    .replace(PHONE, (m) => (m.replace(/\D/g, '').length >= 7 ? '[phone]' : m));
}
