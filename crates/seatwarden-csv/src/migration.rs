//! The migration plan's user list, in the columns of the Jira Cloud Migration
//! Assistant's user file (advanced experience): `UserKey, UserName, ErrorType,
//! OldEmail, NewEmail, Tombstone, AccountType`, every listed user with
//! `Tombstone` = `TRUE` ("migrate as a former user", deactivated in Cloud).
//!
//! Why those columns and not an upload of our own: the assistant only accepts
//! back the file it generated (same users, same count); ours lists the users to
//! mark, in the same columns, so the admin can look each key up in the
//! assistant's file and copy `TRUE` into its `Tombstone` column
//! (support.atlassian.com/migration/docs/customize-your-users-in-advanced-experience,
//! …/update-users-based-on-the-csv-file). Cells are neutralised against formula
//! injection like every export.

use std::io;

use crate::cell;

/// The header, as the migration assistant names its columns.
pub const HEADER: [&str; 7] = [
    "UserKey",
    "UserName",
    "ErrorType",
    "OldEmail",
    "NewEmail",
    "Tombstone",
    "AccountType",
];

/// One user to leave out: key, username, email.
pub struct MigrationUser<'a> {
    /// The user key.
    pub key: &'a str,
    /// The username.
    pub username: &'a str,
    /// The email address.
    pub email: &'a str,
}

/// Writes the list; returns the number of rows.
pub fn write_migration_users<'a, W: io::Write>(
    out: W,
    users: impl IntoIterator<Item = MigrationUser<'a>>,
    bom: bool,
) -> io::Result<u64> {
    let mut w = cell::export_writer(out, bom)?;
    w.write_record(HEADER).map_err(io::Error::other)?;
    let mut scratch = Vec::new();
    let mut n = 0u64;
    for u in users {
        for value in [u.key, u.username, "", u.email, u.email] {
            w.write_field(cell::neutralise(value.as_bytes(), &mut scratch))
                .map_err(io::Error::other)?;
        }
        w.write_field("TRUE").map_err(io::Error::other)?;
        w.write_field("USER").map_err(io::Error::other)?;
        w.write_record(None::<&[u8]>).map_err(io::Error::other)?;
        n += 1;
    }
    w.flush()?;
    Ok(n)
}

/// Writes plain rows (the first is the header), every cell neutralised: the
/// savings report's CSV.
pub fn write_rows<W: io::Write>(out: W, rows: &[Vec<String>]) -> io::Result<u64> {
    let mut w = cell::export_writer(out, false)?;
    let mut scratch = Vec::new();
    for row in rows {
        for cell in row {
            w.write_field(cell::neutralise(cell.as_bytes(), &mut scratch))
                .map_err(io::Error::other)?;
        }
        w.write_record(None::<&[u8]>).map_err(io::Error::other)?;
    }
    w.flush()?;
    Ok(rows.len().saturating_sub(1) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_carry_tombstone_and_neutralised_cells() {
        let mut out = Vec::new();
        let n = write_migration_users(
            &mut out,
            [MigrationUser {
                key: "JIRAUSER10105",
                username: "=cmd",
                email: "a@example.com",
            }],
            false,
        )
        .unwrap_or_default();
        assert_eq!(n, 1);
        assert_eq!(
            String::from_utf8_lossy(&out),
            "UserKey,UserName,ErrorType,OldEmail,NewEmail,Tombstone,AccountType\r\n\
             JIRAUSER10105,'=cmd,,a@example.com,a@example.com,TRUE,USER\r\n"
        );
    }
}
