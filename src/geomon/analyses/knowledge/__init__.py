"""Knowledge position: science and technology indicators per field, and their link to dependencies."""
