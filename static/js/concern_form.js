// The concern form offers the villages and representatives of one township. When the township
// changes, press the form's "选择乡镇" button: the page comes back with that township's places and
// with what was already typed. Without JavaScript the citizen presses the button.
document.addEventListener("DOMContentLoaded", function () {
  var button = document.querySelector('button[name="choose_township"]');
  var township = document.getElementById("id_township");
  if (!button || !township) {
    return;
  }
  township.addEventListener("change", function () {
    if (township.value) {
      button.form.requestSubmit(button);
    }
  });
});
