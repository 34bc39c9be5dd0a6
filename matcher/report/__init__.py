"""The programme's figures (百会链千企 年度数据) and the yearly report (.xlsx + .docx)."""
