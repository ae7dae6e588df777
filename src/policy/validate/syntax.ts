/**
 * Name syntaxes shared by the rule modules: Kubernetes' DNS-1123 label and subdomain, qualified names (label keys),
 * label values and IANA port names (k8s.io/apimachinery/pkg/util/validation), and the name regexes Calico adds
 * (libcalico-go/lib/validator/v3/validator.go). Each check returns the first problem as a phrase, or undefined.
 */
const LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const SUBDOMAIN = `${LABEL}(\\.${LABEL})*`;

export const DNS1123_LABEL = new RegExp(`^${LABEL}$`);
export const DNS1123_SUBDOMAIN = new RegExp(`^${SUBDOMAIN}$`);
/** NetworkPolicy and StagedNetworkPolicy: at most one dot, unless prefixed `knp.default.` or `ossg.default.`. */
export const NETWORK_POLICY_NAME = new RegExp(`^((${LABEL})(\\.${LABEL})?|((?:knp|ossg)\\.default\\.(${SUBDOMAIN})))$`);
/** GlobalNetworkPolicy and StagedGlobalNetworkPolicy: at most one dot. */
export const GLOBAL_POLICY_NAME = new RegExp(`^(${LABEL}\\.)?${LABEL}$`);

export const MAX_SUBDOMAIN_LENGTH = 253;
export const MAX_LABEL_LENGTH = 63;

const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export function dns1123LabelProblem(value: string): string | undefined {
  if (value.length > MAX_LABEL_LENGTH) return `is ${value.length} characters; the limit is ${MAX_LABEL_LENGTH}`;
  if (!DNS1123_LABEL.test(value)) return "must be lower-case letters, digits and '-', starting and ending with a letter or digit";
  return undefined;
}

export function dns1123SubdomainProblem(value: string): string | undefined {
  if (value.length > MAX_SUBDOMAIN_LENGTH) return `is ${value.length} characters; the limit is ${MAX_SUBDOMAIN_LENGTH}`;
  if (!DNS1123_SUBDOMAIN.test(value)) {
    return "must be lower-case letters, digits, '-' and '.', each dot-separated part starting and ending with a letter or digit";
  }
  return undefined;
}

/** A label or annotation key: `[prefix/]name`, prefix a DNS-1123 subdomain, name up to 63 characters. */
export function qualifiedNameProblem(value: string): string | undefined {
  const parts = value.split("/");
  if (parts.length > 2) return "may contain at most one '/', between an optional DNS prefix and the name";
  const name = parts[parts.length - 1];
  if (parts.length === 2) {
    if (parts[0] === "") return "has an empty prefix before '/'";
    const prefix = dns1123SubdomainProblem(parts[0]);
    if (prefix) return `has a prefix that ${prefix}`;
  }
  if (name === "") return "has an empty name part";
  if (name.length > MAX_LABEL_LENGTH) return `has a name part of ${name.length} characters; the limit is ${MAX_LABEL_LENGTH}`;
  if (!QUALIFIED_NAME.test(name)) {
    return "has a name part that must be letters, digits, '-', '_' and '.', starting and ending with a letter or digit";
  }
  return undefined;
}

export function labelValueProblem(value: string): string | undefined {
  if (value.length > MAX_LABEL_LENGTH) return `is ${value.length} characters; the limit is ${MAX_LABEL_LENGTH}`;
  if (!LABEL_VALUE.test(value)) {
    return "must be empty or letters, digits, '-', '_' and '.', starting and ending with a letter or digit";
  }
  return undefined;
}

/** Kubernetes IsValidPortName: an IANA service name. */
export function portNameProblem(value: string): string | undefined {
  if (value.length === 0 || value.length > 15) return "must be 1 to 15 characters";
  if (!/^[-a-z0-9]+$/.test(value)) return "may contain only lower-case letters, digits and '-'";
  if (!/[a-z]/.test(value)) return "must contain at least one letter";
  if (value.startsWith("-") || value.endsWith("-")) return "may not start or end with '-'";
  if (value.includes("--")) return "may not contain '--'";
  return undefined;
}

/** Length in UTF-8 bytes, as Go's len() counts it. */
export function utf8Length(text: string): number {
  let n = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    n += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return n;
}
