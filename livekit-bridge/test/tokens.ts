import { AccessToken } from 'livekit-server-sdk';
import { API_KEY, API_SECRET } from './livekit_server.js';

/** A join token for `identity` in `room`, with publish, subscribe and data rights. */
export function joinToken(room: string, identity: string): Promise<string> {
  const token = new AccessToken(API_KEY, API_SECRET, { identity, ttl: '10m' });
  token.addGrant({ room, roomJoin: true, canPublish: true, canSubscribe: true, canPublishData: true });
  return token.toJwt();
}
