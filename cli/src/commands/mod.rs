pub mod authenticate;
pub mod demo;
pub mod inspect;
pub mod jwks;
pub mod keygen;
pub mod serve;
pub mod sign;
pub mod verify;
