//! Staff identity: password hashing, signed session tokens, sign-in with rate limiting,
//! sessions and signing out, and account management.

pub mod login;
pub mod password;
pub mod sessions;
pub mod tokens;
pub mod users;

pub use login::{Credentials, LoginContext, LoginError, LoginPolicy, Session, login};
pub use sessions::{Authenticated, SessionError, SessionRef, authenticate, sign_out};
pub use tokens::{Claims, TokenError, TokenKeys};
pub use users::{NewUserInput, UserChange, UserError, add_user, list_users, update_user};
