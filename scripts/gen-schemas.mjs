// Placeholder: the schema generator lands with the OpenAPI work.
