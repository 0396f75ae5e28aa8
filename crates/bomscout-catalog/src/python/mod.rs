//! Python: requirements files, lockfiles of pipenv, poetry, uv and PEP 751, pyproject.toml, installed distributions.

mod declare;
pub mod installed;
pub mod pep508;
pub mod pipfile_lock;
pub mod poetry_lock;
pub mod pylock;
pub mod pyproject;
pub mod requirements;
pub mod uv_lock;
