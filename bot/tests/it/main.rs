//! The gateway's integration tests: the real application on a random port with a fresh SQLite
//! file, driven through the Kakao skill webhook and the admin API, with a loopback stand-in for
//! the Kakao Event API that records every push.

mod admin_api;
mod admins;
mod approval;
mod bad_input;
mod broker_restart;
mod concurrency;
mod console;
mod crash;
mod dead_letter;
mod discord;
mod discord_standin;
mod distributed;
mod helpers;
mod history;
mod kakao_standin;
mod limits;
mod linking;
mod locales;
mod lottery;
mod migration;
mod notifier;
mod operations;
mod rabbitmq;
mod redelivery;
mod reports;
mod rules;
mod saga;
mod seed;
mod telegram;
mod telegram_standin;
mod timers;
mod waitlist;
