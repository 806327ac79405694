/** A small policy the JIT unit tests edit and validate (a trimmed copy of the example business). */
export const JIT_FILE = 'policies/acme-books.yaml';

export const JIT_POLICY = `# Who has access to Acme Books Inc.
business: 240340 # FreshBooks business_id
name: Acme Books Inc.
mode: authoritative

rules:
  protected: [olivia@acme.example]
  minAdmins: 2
  requireExpiry: [contractor]
  maxDuration:
    contractor: 180d # six months at most
    manager: 12h
  allowedDomains: [acme.example, contractors.example]
  requireReason: true
  autoApproveExpiry: true

teams:
  - name: bookkeeping
    role: accountant
    reason: Day-to-day bookkeeping
    members:
      - dana@acme.example

members:
  # Administrators
  - email: alice@acme.example
    role: admin
    reason: Finance lead

  - email: ben@acme.example
    role: admin
    reason: Controller

  # Contractors: time-bound
  - email: bob@contractors.example
    role: contractor
    expires: 2026-03-31 # end of the audit
    reason: Year-end audit
    ticket: FIN-42
`;
