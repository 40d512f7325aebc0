import { handleAuthRequest } from "../../../../server/auth/http";

// Sign-in, sign-out, session and single sign-on callbacks (better-auth), served by server/auth.
export const GET = handleAuthRequest;
export const POST = handleAuthRequest;
