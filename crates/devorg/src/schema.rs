//! Account's fields as Salesforce describes them: types, lengths, flags, picklist values. (stub)
