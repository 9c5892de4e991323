document.getElementById("script-status").textContent = "app.js version 1 ran.";
