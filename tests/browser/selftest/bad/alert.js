alert('this site calls alert()');
