//! Cost estimates: actions and data credits per column, table and workbook, against budgets.
//!
//! Pure: no I/O, no printing.
