"""The Streamlit page (``streamlit run app.py``): Streamlit runs this file on every rerun, and it
draws the page (entries/page.py)."""

from entries.page import main

main()
