import { randomUUID } from 'node:crypto';

/** AWS request ids are UUIDs (IAM, STS, ELBv2, Auto Scaling, EC2 all return the 8-4-4-4-12 form). */
export const newRequestId = (): string => randomUUID();
