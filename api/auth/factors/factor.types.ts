import type {
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server';
import type { SqlClient } from '../../../core/sql/sql-client';
import type { SecretBox } from '../../../core/secret-box';
import type { TotpAlgorithm } from './totp';

export type FactorMethod = 'totp' | 'webauthn' | 'recovery';

/** One factor as shown to its owner and administrators: never a secret, a code or a key. */
export interface FactorInfo {
  id: string;
  method: FactorMethod;
  /** `pending`: a TOTP factor whose first code has not been confirmed yet; it cannot be used to sign in. */
  status: 'pending' | 'active';
  label: string | null;
  createdAt: string;
  confirmedAt: string | null;
  lastUsedAt: string | null;
  totp?: { algorithm: TotpAlgorithm; digits: number; period: number };
  webauthn?: { transports: string[]; backedUp: boolean; deviceType: string; aaguid: string | null };
  recovery?: { remaining: number };
}

/** An authentication event; the runtime writes it to the event store (dataset `sargs.auth`). */
export interface AuthEvent {
  action:
    | 'factor-enrolled'
    | 'factor-used'
    | 'factor-failed'
    | 'factor-removed'
    | 'replay-refused'
    | 'account-locked'
    | 'login-succeeded'
    | 'login-failed'
    | 'logout'
    | 'step-up';
  outcome: 'success' | 'failure';
  userId: string;
  tenant: string;
  username: string;
  method?: 'password' | 'totp' | 'webauthn' | 'recovery';
  ip?: string;
  reason?: string;
}

/** Who owns factors: the fields of users (0030-identity.sql) that events and enrolment need. */
export interface FactorUser {
  id: string;
  username: string;
  tenant: string;
  displayName?: string;
}

export interface FactorServiceDeps {
  sql: SqlClient;
  secretBox: SecretBox;
  /** WebAuthn relying party: id = hostname of SARGS_PUBLIC_URL, origin = its origin. */
  rp: { id: string; name: string; origin: string };
  /** Awaited; an error propagates (an auth event that cannot be recorded is not dropped silently). */
  onEvent: (e: AuthEvent) => void | Promise<void>;
  /** Finds a user for events; default: the users table of 0030-identity.sql when it exists. */
  findUser?: (userId: string) => Promise<FactorUser | undefined>;
  /** Clock in epoch ms (tests); default Date.now. */
  now?: () => number;
}

/** Second factors of Sargs users and VPS employees. Every failure is an AppError with a stable code. */
export interface FactorService {
  /** The user's factors, pending ones included; no secrets. */
  list(userId: string): Promise<FactorInfo[]>;
  /** Has the user an active TOTP or WebAuthn factor? Recovery codes alone do not count: they are a fallback. */
  hasAny(userId: string): Promise<boolean>;
  /** Starts TOTP enrolment: a pending factor with a fresh secret (shown once, as text and otpauth:// URI). */
  startTotp(user: FactorUser, opts?: { algorithm?: TotpAlgorithm; label?: string }): Promise<{ factorId: string; secret: string; uri: string }>;
  /** Activates a pending TOTP factor with a current code. 400 `totp_code_invalid`, 404, 409. */
  confirmTotp(userId: string, factorId: string, code: string): Promise<void>;
  /** Checks a code against the user's active TOTP factors. 401 `factor_failed` | `replay_refused`. */
  verifyTotp(userId: string, code: string): Promise<{ factorId: string }>;
  registrationOptions(user: FactorUser): Promise<PublicKeyCredentialCreationOptionsJSON>;
  verifyRegistration(userId: string, response: unknown, label?: string): Promise<{ factorId: string }>;
  authenticationOptions(userId: string): Promise<PublicKeyCredentialRequestOptionsJSON>;
  verifyAuthentication(userId: string, response: unknown): Promise<{ factorId: string }>;
  /** 10 new codes `xxxxx-xxxxx`, shown once; the previous set stops working. */
  createRecoveryCodes(userId: string): Promise<string[]>;
  /** Uses one code once. 401 `factor_failed`. */
  useRecoveryCode(userId: string, code: string): Promise<{ factorId: string; remaining: number }>;
  /** Removes one of the user's factors. 404 when it is not theirs. */
  remove(userId: string, factorId: string): Promise<void>;
}
