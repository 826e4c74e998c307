import { readFile } from 'node:fs/promises';
import type * as grpc from '@grpc/grpc-js';
import { BearerTokens } from './auth.js';
import { channelCredentials, serverCredentials, serverUsesTls, type TlsFiles } from './tls.js';

/** The security settings a service reads from its environment (see libs/config's common table). */
export interface SecuritySettings {
  /** File of `<scope> <token>` lines; undefined runs without authentication. */
  tokensFile?: string;
  tls: TlsFiles;
}

/** Tokens and credentials of a server and of its clients to other services. */
export interface ServiceSecurity {
  tokens: BearerTokens;
  serverCredentials: grpc.ServerCredentials;
  /** Credentials of calls to other services: TLS when a CA or certificate is set. */
  channelCredentials: grpc.ChannelCredentials;
  /** "plaintext", "tls" or "mutual-tls", for the start-up log line. */
  transport: 'plaintext' | 'tls' | 'mutual-tls';
}

/** Reads the tokens file and the TLS files; an empty tokens file is an error, not an open server. */
export async function loadServiceSecurity(settings: SecuritySettings): Promise<ServiceSecurity> {
  let tokens = BearerTokens.none;
  if (settings.tokensFile) {
    let text: string;
    try {
      text = await readFile(settings.tokensFile, 'utf8');
    } catch (error) {
      throw new Error(`cannot read the tokens file "${settings.tokensFile}": ${(error as Error).message}`, { cause: error });
    }
    tokens = BearerTokens.parse(text, settings.tokensFile);
    if (tokens.size === 0) {
      throw new Error(`the tokens file "${settings.tokensFile}" lists no tokens; add "<scope> <token>" lines, or unset the variable to run without authentication`);
    }
  }
  let transport: ServiceSecurity['transport'] = 'plaintext';
  if (serverUsesTls(settings.tls)) transport = settings.tls.caFile ? 'mutual-tls' : 'tls';
  return {
    tokens,
    serverCredentials: await serverCredentials(settings.tls),
    channelCredentials: await channelCredentials(settings.tls),
    transport,
  };
}
