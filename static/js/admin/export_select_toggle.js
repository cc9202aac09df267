// The export page's "select all" box (templates/admin/import_export/export.html). django-import-export
// binds it with an inline onchange attribute, which the CSP refuses; onSelectToggleChange comes from
// the package's export_selectable_fields.js, loaded before this file.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("input.select-toggle").forEach((box) => {
    box.addEventListener("change", onSelectToggleChange);
  });
});
